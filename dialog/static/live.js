/* The live screen: poll live.json every few seconds and redraw the figures in place.
   Without this script the page is complete as rendered, with a Refresh link. */
(function () {
  "use strict";
  var root = document.getElementById("live");
  if (!root || !window.fetch) { return; }
  var source = root.getAttribute("data-source");
  var every = (Number(root.getAttribute("data-seconds")) || 3) * 1000;
  var lists = {"live-agreed": "most_agreed", "live-divisive": "most_divisive",
               "live-priorities": "priorities"};
  var drawn = {};

  function setText(id, text) {
    var el = document.getElementById(id);
    if (el && el.textContent !== text) { el.textContent = text; }
  }

  function span(className, text) {
    var el = document.createElement("span");
    el.className = className;
    el.textContent = text;
    return el;
  }

  function item(data) {
    var li = document.createElement("li");
    li.setAttribute("data-statement", String(data.id));
    var statement = span("statement", data.text);
    statement.setAttribute("lang", data.lang);
    statement.setAttribute("dir", data.dir);
    var figures = span("figures", "");
    var strong = document.createElement("strong");
    strong.textContent = data.headline;
    figures.appendChild(strong);
    if (data.detail) {
      figures.appendChild(document.createTextNode(" "));
      figures.appendChild(span("detail", data.detail));
    }
    li.appendChild(statement);
    if (data.original) {
      var original = span("original", data.original.text);
      original.setAttribute("lang", data.original.lang);
      original.setAttribute("dir", data.original.dir);
      li.appendChild(document.createTextNode(" "));
      li.appendChild(original);
    }
    li.appendChild(document.createTextNode(" "));
    li.appendChild(figures);
    return li;
  }

  function fill(id, items) {
    var key = JSON.stringify(items);
    if (drawn[id] === key) { return; }  // unchanged: leave the DOM (and screen readers) alone
    drawn[id] = key;
    var list = document.getElementById(id);
    while (list.firstChild) { list.removeChild(list.firstChild); }
    items.forEach(function (data) { list.appendChild(item(data)); });
    document.getElementById(id + "-empty").hidden = items.length > 0;
  }

  function show(data) {
    setText("live-joined", data.joined_text);
    setText("live-votes", data.votes_text);
    Object.keys(lists).forEach(function (id) { fill(id, data[lists[id]]); });
    root.setAttribute("data-joined", String(data.joined));
    root.setAttribute("data-votes", String(data.votes));
  }

  function poll() {
    fetch(source, {cache: "no-store", credentials: "same-origin",
                   headers: {"Accept": "application/json"}})
      .then(function (response) {
        var type = response.headers.get("Content-Type") || "";
        if (!response.ok || type.indexOf("json") < 0) { throw new Error(String(response.status)); }
        return response.json();
      })
      .then(function (data) {
        show(data);
        document.getElementById("live-stale").hidden = true;
      })
      .catch(function () { document.getElementById("live-stale").hidden = false; })
      .then(function () { window.setTimeout(poll, every); });
  }

  window.setTimeout(poll, every);
}());
