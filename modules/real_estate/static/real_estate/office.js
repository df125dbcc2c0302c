// The real-estate office pages: drag photos into a new order (forms that ask first use
// Portico's confirmation modal through data-confirm).
(() => {
  // Drag photos into a new order; the arrows do the same without JavaScript.
  const gallery = document.querySelector("[data-photo-gallery]");
  const orderForm = document.querySelector("[data-photo-order]");
  if (!gallery || !orderForm || !("draggable" in gallery)) return;
  let dragged = null;
  const items = () => [...gallery.querySelectorAll("[data-photo-id]")];
  items().forEach((item) => { item.draggable = true; });
  gallery.addEventListener("dragstart", (event) => {
    dragged = event.target.closest("[data-photo-id]");
    if (!dragged || event.target.closest("input, button")) { dragged = null; return; }
    dragged.classList.add("is-dragging");
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", dragged.dataset.photoId);
  });
  gallery.addEventListener("dragover", (event) => {
    const over = event.target.closest("[data-photo-id]");
    if (!dragged || !over || over === dragged) return;
    event.preventDefault();
    items().forEach((item) => item.classList.toggle("is-over", item === over));
  });
  gallery.addEventListener("dragleave", (event) => {
    const left = event.target.closest("[data-photo-id]");
    if (left && !left.contains(event.relatedTarget)) left.classList.remove("is-over");
  });
  gallery.addEventListener("drop", (event) => {
    const target = event.target.closest("[data-photo-id]");
    if (!dragged || !target || target === dragged) return;
    event.preventDefault();
    const list = items();
    const after = list.indexOf(dragged) < list.indexOf(target);
    target.insertAdjacentElement(after ? "afterend" : "beforebegin", dragged);
    orderForm.querySelector('[name="order"]').value = items().map((item) => item.dataset.photoId).join(",");
    orderForm.submit();
  });
  gallery.addEventListener("dragend", () => {
    items().forEach((item) => item.classList.remove("is-dragging", "is-over"));
    dragged = null;
  });
})();
