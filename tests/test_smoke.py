def test_a_resident_sees_the_start_page_in_arabic(client, make_org, make_survey):
    org = make_org()
    make_survey(org)
    page = client.get("/s/demo", headers={"Accept-Language": "ar"})
    assert page.status_code == 200
    assert 'lang="ar" dir="rtl"' in page.get_data(as_text=True)


def test_an_id_too_large_for_the_database_is_simply_not_found(client, make_org, login):
    login(client, make_org())
    for url in ("/manage/surveys/2147483648", "/followup/indicators/99999999999999999999",
                "/dialog/events/2147483648", "/analysis/runs/2147483648"):
        assert client.get(url).status_code == 404, url
