// The signature pad: draw with a mouse, a pen or a finger (pointer events, touch events where
// pointer events are missing); the drawing goes with the form as a PNG data URL.
(function () {
  "use strict";
  function setUp() {
    var canvas = document.getElementById("signature-pad");
    var field = document.getElementById("id_drawing");
    if (!canvas || !field) return;
    var pen = canvas.getContext("2d");
    var drawing = false, drawn = false, last = null;
    pen.lineWidth = 2.5;
    pen.lineCap = "round";
    pen.lineJoin = "round";
    pen.strokeStyle = "#0f172a";

    function at(event) {
      var box = canvas.getBoundingClientRect();
      var point = event.touches ? event.touches[0] : event;
      return {
        x: (point.clientX - box.left) * (canvas.width / box.width),
        y: (point.clientY - box.top) * (canvas.height / box.height)
      };
    }
    function start(event) {
      event.preventDefault();
      drawing = true;
      last = at(event);
      if (canvas.setPointerCapture && event.pointerId !== undefined) canvas.setPointerCapture(event.pointerId);
    }
    function move(event) {
      if (!drawing) return;
      event.preventDefault();
      var point = at(event);
      pen.beginPath();
      pen.moveTo(last.x, last.y);
      pen.lineTo(point.x, point.y);
      pen.stroke();
      last = point;
      drawn = true;
    }
    function end() {
      if (!drawing) return;
      drawing = false;
      if (drawn) field.value = canvas.toDataURL("image/png");
    }
    if (window.PointerEvent) {
      canvas.addEventListener("pointerdown", start);
      canvas.addEventListener("pointermove", move);
      canvas.addEventListener("pointerup", end);
      canvas.addEventListener("pointercancel", end);
      canvas.addEventListener("pointerleave", end);
    } else {
      canvas.addEventListener("touchstart", start, { passive: false });
      canvas.addEventListener("touchmove", move, { passive: false });
      canvas.addEventListener("touchend", end);
      canvas.addEventListener("mousedown", start);
      canvas.addEventListener("mousemove", move);
      window.addEventListener("mouseup", end);
    }
    var clear = document.querySelector("[data-signature-clear]");
    if (clear) {
      clear.addEventListener("click", function () {
        pen.clearRect(0, 0, canvas.width, canvas.height);
        drawn = false;
        field.value = "";
      });
    }
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", setUp);
  else setUp();
})();
