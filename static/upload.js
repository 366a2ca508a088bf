// The upload form, one request per file: files may be dropped on the drop area, and each file is posted
// on its own (same fields: classification, groups, CSRF token) with its own progress bar and its own
// error. Without this script the form posts all the files at once, as a plain form.
(function () {
  "use strict";
  const form = document.getElementById("upload-form");
  if (!form || !window.FormData || !window.XMLHttpRequest) return;
  const input = document.getElementById("id_files");
  const drop = document.getElementById("upload-drop");
  const list = document.getElementById("upload-progress");

  function hasFiles(event) {
    return event.dataTransfer && Array.prototype.indexOf.call(event.dataTransfer.types, "Files") !== -1;
  }
  drop.classList.add("dropzone");
  ["dragenter", "dragover"].forEach(function (name) {
    drop.addEventListener(name, function (event) {
      if (!hasFiles(event)) return;
      event.preventDefault();
      drop.classList.add("dropzone-over");
    });
  });
  ["dragleave", "drop"].forEach(function (name) {
    drop.addEventListener(name, function () {
      drop.classList.remove("dropzone-over");
    });
  });
  drop.addEventListener("drop", function (event) {
    if (!hasFiles(event)) return;
    event.preventDefault();
    input.files = event.dataTransfer.files;
    input.dispatchEvent(new Event("change", { bubbles: true }));
  });

  // The reason the server gave: the form's error next to a field, from the page it sent back.
  function serverError(xhr) {
    const page = xhr.responseXML;
    const errors = page ? page.querySelectorAll("#upload-form .error") : [];
    const text = Array.prototype.map.call(errors, function (e) { return e.textContent.trim(); }).join(" ");
    return text || "the upload failed (HTTP " + xhr.status + "); try again";
  }

  // The jobs table from the page the last upload landed on, which polls while jobs are pending.
  function refreshJobs(xhr) {
    const fresh = xhr.responseXML && xhr.responseXML.getElementById("jobs");
    const current = document.getElementById("jobs");
    if (!fresh || !current) return;
    const node = document.importNode(fresh, true);
    current.replaceWith(node);
    if (window.htmx) window.htmx.process(node);
  }

  function row(file) {
    const item = document.createElement("li");
    item.className = "upload-item";
    const label = document.createElement("span");
    label.className = "upload-name";
    label.textContent = file.name;
    const bar = document.createElement("progress");
    bar.max = 100;
    bar.value = 0;
    bar.setAttribute("aria-label", "Upload of " + file.name);
    const state = document.createElement("span");
    state.className = "upload-state";
    state.textContent = "waiting";
    item.append(label, bar, state);
    list.append(item);
    return { item: item, bar: bar, state: state };
  }

  function send(file, fields, ui) {
    return new Promise(function (resolve) {
      const data = new FormData();
      fields.forEach(function (pair) { data.append(pair[0], pair[1]); });
      data.append("files", file, file.name);
      const xhr = new XMLHttpRequest();
      xhr.open("POST", form.action);
      xhr.responseType = "document";
      xhr.upload.addEventListener("progress", function (event) {
        if (event.lengthComputable) ui.bar.value = Math.round((event.loaded / event.total) * 100);
        ui.state.textContent = "uploading";
      });
      xhr.addEventListener("load", function () {
        // The server answers a good upload with a redirect to this page, which the request follows.
        if (xhr.status >= 200 && xhr.status < 300) {
          ui.bar.value = 100;
          ui.item.classList.add("upload-done");
          ui.state.textContent = "done";
          refreshJobs(xhr);
        } else {
          ui.item.classList.add("upload-failed");
          ui.state.textContent = serverError(xhr);
        }
        resolve();
      });
      xhr.addEventListener("error", function () {
        ui.item.classList.add("upload-failed");
        ui.state.textContent = "the connection failed; try again";
        resolve();
      });
      ui.state.textContent = "uploading";
      xhr.send(data);
    });
  }

  form.addEventListener("submit", function (event) {
    const files = Array.prototype.slice.call(input.files);
    if (!files.length) return;
    event.preventDefault();
    const fields = [];
    new FormData(form).forEach(function (value, name) {
      if (name !== "files") fields.push([name, value]);
    });
    list.replaceChildren();
    list.hidden = false;
    const uis = files.map(row);
    // One file after the other: each gets its own request, progress and error.
    files.reduce(function (previous, file, i) {
      return previous.then(function () { return send(file, fields, uis[i]); });
    }, Promise.resolve()).then(function () {
      input.value = "";
    });
  });
})();
