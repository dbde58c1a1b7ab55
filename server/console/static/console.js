// refund-guard console: keyboard shortcuts and the SLA countdown. Pages work without this script.
(function () {
  'use strict';

  // --- Keyboard: an element with data-key="j" is followed (link) or pressed (button) on "j".
  function typing(target) {
    if (!(target instanceof Element)) return false;
    return target.closest('input, textarea, select, [contenteditable="true"]') !== null;
  }

  function rows() {
    return Array.prototype.slice.call(document.querySelectorAll('a[data-row]'));
  }

  function moveRow(step) {
    var list = rows();
    if (list.length === 0) return false;
    var at = list.indexOf(document.activeElement);
    var next = at === -1 ? (step > 0 ? 0 : list.length - 1) : Math.min(list.length - 1, Math.max(0, at + step));
    list[next].focus();
    return true;
  }

  document.addEventListener('keydown', function (event) {
    if (event.defaultPrevented || event.altKey || event.ctrlKey || event.metaKey || typing(event.target)) return;
    var key = event.key;
    var target = document.querySelector('[data-key="' + key + '"]');
    if (target) {
      event.preventDefault();
      if (target instanceof HTMLAnchorElement) window.location.assign(target.href);
      else if (target instanceof HTMLButtonElement) {
        var form = target.form;
        var note = form && form.querySelector('textarea[required], input[required]');
        // A verdict needs its note first: take the person there instead of failing silently.
        if (note && note.value.trim() === '') { note.focus(); if (form.reportValidity) form.reportValidity(); }
        else target.click();
      } else if (target instanceof HTMLElement) target.focus();
      return;
    }
    if (key === 'j' && moveRow(1)) event.preventDefault();
    else if (key === 'k' && moveRow(-1)) event.preventDefault();
  });

  // --- SLA countdown: <time data-due> counts from the server's clock (body data-server-now).
  var serverNow = Date.parse(document.body.getAttribute('data-server-now') || '');
  var offset = isNaN(serverNow) ? 0 : serverNow - Date.now();
  var labels = { 'on-time': 'on time', 'due-soon': 'due within 2 h', overdue: 'overdue' };

  function span(ms) {
    var minutes = Math.floor(ms / 60000);
    if (minutes < 60) return minutes + ' min';
    var hours = Math.floor(minutes / 60);
    if (hours < 48) return hours + ' h ' + String(minutes % 60).padStart(2, '0') + ' min';
    return Math.floor(hours / 24) + ' d ' + (hours % 24) + ' h';
  }

  function tick() {
    var now = Date.now() + offset;
    var items = document.querySelectorAll('[data-due]');
    for (var i = 0; i < items.length; i++) {
      var el = items[i];
      var left = Date.parse(el.getAttribute('data-due')) - now;
      if (isNaN(left)) continue;
      var state = left < 0 ? 'overdue' : left <= 7200000 ? 'due-soon' : 'on-time';
      var text = el.querySelector('.left');
      var label = el.querySelector('.state');
      if (text) text.textContent = left < 0 ? 'overdue by ' + span(-left) : span(left) + ' left';
      if (label) label.textContent = labels[state];
      el.className = 'sla ' + state;
    }
  }
  if (document.querySelector('[data-due]')) window.setInterval(tick, 30000);
})();
