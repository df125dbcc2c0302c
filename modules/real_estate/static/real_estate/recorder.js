// Voice notes recorded in the browser: a progressive enhancement of the plain file input. Each
// recording becomes a File added to that input (with the files picked by hand), so the form sends it
// like any upload and the server checks it the same way. Without MediaRecorder, the input is all.
(function voiceRecorder() {
  const TYPES = ["audio/webm;codecs=opus", "audio/webm", "audio/ogg;codecs=opus", "audio/mp4"];
  const EXTENSIONS = { "audio/webm": "webm", "audio/ogg": "ogg", "audio/mp4": "m4a" };
  const MAX_SECONDS = 5 * 60;

  function supported() {
    return Boolean(
      window.MediaRecorder && navigator.mediaDevices && navigator.mediaDevices.getUserMedia && window.DataTransfer,
    );
  }

  function clock(seconds) {
    return `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, "0")}`;
  }

  function setup(box) {
    const input = box.closest(".field").querySelector("[data-recorder-input]");
    const start = box.querySelector("[data-recorder-start]");
    const stop = box.querySelector("[data-recorder-stop]");
    const time = box.querySelector("[data-recorder-time]");
    const status = box.querySelector("[data-recorder-status]");
    const list = box.querySelector("[data-recorder-list]");
    const max = Number(box.dataset.max || 3);
    const text = box.dataset;
    let picked = [...input.files];
    const recordings = [];
    let recorder = null;
    let timer = null;

    const sync = () => {
      const transfer = new DataTransfer();
      [...picked, ...recordings].forEach((file) => transfer.items.add(file));
      input.files = transfer.files;
      const full = picked.length + recordings.length >= max;
      start.disabled = full;
      if (full && !recorder) status.textContent = text.textFull;
    };

    const draw = () => {
      list.replaceChildren(
        ...recordings.map((file, index) => {
          const item = document.createElement("li");
          const audio = document.createElement("audio");
          audio.controls = true;
          audio.src = URL.createObjectURL(file);
          audio.setAttribute("aria-label", `${text.textRecordingLabel} ${index + 1}`);
          const remove = document.createElement("button");
          remove.type = "button";
          remove.className = "btn btn--ghost";
          remove.textContent = text.textRemove;
          remove.addEventListener("click", () => {
            URL.revokeObjectURL(audio.src);
            recordings.splice(recordings.indexOf(file), 1);
            sync();
            draw();
            start.focus();
          });
          item.append(audio, remove);
          return item;
        }),
      );
    };

    input.addEventListener("change", () => {
      picked = [...input.files].filter((file) => !recordings.includes(file));
      sync();
    });

    start.addEventListener("click", async () => {
      let stream;
      try {
        stream = await navigator.mediaDevices.getUserMedia({ audio: true });
      } catch (error) {
        status.textContent = text.textDenied;
        return;
      }
      const type = TYPES.find((candidate) => MediaRecorder.isTypeSupported(candidate)) || "";
      const chunks = [];
      recorder = new MediaRecorder(stream, type ? { mimeType: type } : undefined);
      recorder.addEventListener("dataavailable", (event) => {
        if (event.data.size) chunks.push(event.data);
      });
      recorder.addEventListener("stop", () => {
        clearInterval(timer);
        stream.getTracks().forEach((track) => track.stop());
        const mime = (recorder.mimeType || type || "audio/webm").split(";")[0];
        recorder = null;
        box.classList.remove("re-recorder--live");
        stop.hidden = true;
        start.hidden = false;
        if (!chunks.length) return;
        const name = `voice-note-${recordings.length + 1}.${EXTENSIONS[mime] || "webm"}`;
        recordings.push(new File(chunks, name, { type: mime }));
        status.textContent = text.textAdded;
        sync();
        draw();
        start.focus();
      });
      recorder.start(1000);
      let seconds = 0;
      time.textContent = clock(0);
      timer = setInterval(() => {
        seconds += 1;
        time.textContent = clock(seconds);
        if (seconds >= MAX_SECONDS && recorder) recorder.stop();
      }, 1000);
      box.classList.add("re-recorder--live");
      status.textContent = text.textRecording;
      start.hidden = true;
      stop.hidden = false;
      stop.focus();
    });

    stop.addEventListener("click", () => {
      if (recorder && recorder.state !== "inactive") recorder.stop();
    });

    box.hidden = false;
    sync();
  }

  function init() {
    if (!supported()) return;
    document.querySelectorAll("[data-recorder]").forEach(setup);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
