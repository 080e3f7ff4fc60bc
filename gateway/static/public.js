// "Copy link" beside each use case (progressive enhancement): without this script the link
// is a plain link to the use case's own page; with it, activating the link copies the address.
document.querySelectorAll("a[data-copy]").forEach(function (link) {
  if (!navigator.clipboard) return;
  var label = link.textContent;
  link.setAttribute("role", "button");
  link.textContent = "Copy link";
  link.setAttribute("aria-label", "Copy link to " + label.replace(/^Link to /, ""));
  link.addEventListener("click", function (event) {
    event.preventDefault();
    navigator.clipboard.writeText(link.href).then(function () {
      link.textContent = "Link copied";
      setTimeout(function () { link.textContent = "Copy link"; }, 2000);
    });
  });
});
