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
