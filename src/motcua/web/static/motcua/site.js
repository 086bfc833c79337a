// The site's only script of its own: behaviour that would otherwise be an inline handler, which
// the Content-Security-Policy forbids (docs/decisions/0036-content-security-policy.md).
"use strict";

// A button marked data-print prints the page (the receipts).
document.addEventListener("click", (event) => {
  const target = event.target instanceof Element ? event.target.closest("[data-print]") : null;
  if (target) {
    event.preventDefault();
    window.print();
  }
});

// After a refused form the page opens on its list of what to correct: keyboard and screen-reader
// users land there instead of at the top of the page (the summary is focusable: tabindex="-1").
document.addEventListener("DOMContentLoaded", () => {
  const summary = document.querySelector(".error-summary[tabindex='-1']");
  if (summary instanceof HTMLElement) {
    summary.focus();
  }
});

// The language switch comes back to the page as it is now: a live search (htmx) changes the
// address after the page was written, and the form's "next" holds the address it was written
// with (the search would be lost). The server still checks that "next" stays on the site.
document.addEventListener("submit", (event) => {
  const form = event.target;
  if (!(form instanceof HTMLFormElement) || !form.classList.contains("language-switch")) {
    return;
  }
  const next = form.querySelector("input[name='next']");
  if (next instanceof HTMLInputElement) {
    next.value = window.location.pathname + window.location.search;
  }
});
