def test_a_resident_sees_the_start_page_in_arabic(client, make_org, make_survey):
    org = make_org()
    make_survey(org)
    page = client.get("/s/demo", headers={"Accept-Language": "ar"})
    assert page.status_code == 200
    assert 'lang="ar" dir="rtl"' in page.get_data(as_text=True)
