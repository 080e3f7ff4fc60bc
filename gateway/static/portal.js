// Progressive enhancement only: every page works without it.
document.documentElement.classList.add("js");
document.addEventListener("change", (event) => {
  const field = event.target;
  if (field.matches("select[data-autosubmit]")) field.form.requestSubmit();
});
document.addEventListener("submit", (event) => {
  const question = event.target.getAttribute("data-confirm");
  if (question && !window.confirm(question)) event.preventDefault();
});
