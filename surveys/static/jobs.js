// Without JavaScript the job page refreshes itself every few seconds (<noscript> meta refresh);
// with it, the progress bar moves smoothly and the page reloads only when the job ends.
(function () {
  "use strict";
  var box = document.querySelector(".job[data-state-url]");
  if (!box || box.dataset.status === "done" || box.dataset.status === "failed") return;
  var bar = document.getElementById("job-progress");
  function poll() {
    fetch(box.dataset.stateUrl, {credentials: "same-origin"})
      .then(function (reply) { return reply.json(); })
      .then(function (state) {
        if (state.status === "done" || state.status === "failed") {
          window.location.reload();
          return;
        }
        bar.value = state.percent;
        bar.textContent = state.percent + " %";
        window.setTimeout(poll, 700);
      })
      .catch(function () { window.setTimeout(poll, 3000); });
  }
  window.setTimeout(poll, 700);
})();
