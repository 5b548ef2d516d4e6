// Members import (/b/<slug>/leden/importeren): progress while a large file is
// applied. Progressive enhancement: without this script the "Importeren"
// button posts the form and the result page follows when the import is done.
// With it, the same form is posted with js=1; the server answers 202 and
// applies the file in the background (one transaction), and this script
// polls the progress (JSON) into the <progress> element, then opens the
// result page. Anything unexpected falls back to the plain form post.
(function () {
  'use strict';
  var form = document.querySelector('form[data-import-form]');
  var box = document.getElementById('import-voortgang');
  if (!form || !box || !window.fetch || !window.URLSearchParams || !window.FormData) return;
  var bar = document.getElementById('import-balk');
  var text = document.getElementById('import-tekst');
  var busy = false;

  function show(done, total) {
    bar.max = total > 0 ? total : 1;
    bar.value = done;
    text.textContent = done + ' ' + box.getAttribute('data-rows-of') + ' ' + total + ' ' +
      box.getAttribute('data-rows-done');
  }

  function poll(job) {
    fetch(job.voortgang, { credentials: 'same-origin', headers: { Accept: 'application/json' } })
      .then(function (res) { if (!res.ok) throw new Error(String(res.status)); return res.json(); })
      .then(function (st) {
        show(st.done, st.total);
        if (st.state === 'running') {
          window.setTimeout(function () { poll(job); }, 250);
        } else {
          window.location.assign(job.resultaat);
        }
      })
      .catch(function () { text.textContent = box.getAttribute('data-failed'); });
  }

  form.addEventListener('submit', function (ev) {
    var submitter = ev.submitter;
    // Only the "Importeren" button; "Opnieuw controleren" posts as usual.
    if (busy || !submitter || !submitter.hasAttribute('data-import-start')) return;
    ev.preventDefault();
    busy = true;
    var buttons = form.querySelectorAll('button');
    for (var i = 0; i < buttons.length; i++) buttons[i].disabled = true;
    box.hidden = false;
    show(0, Number(bar.getAttribute('max')) || 0);
    var body = new URLSearchParams(new FormData(form));
    body.set('js', '1');
    fetch(form.action, {
      method: 'POST', body: body, credentials: 'same-origin',
      headers: { Accept: 'application/json' }
    }).then(function (res) {
      if (res.status !== 202) throw new Error(String(res.status));
      return res.json();
    }).then(poll, function () {
      // Not started (no free worker, an old server...): the plain post.
      form.submit();
    });
  });
})();
