// The ask form, answered as it is written: posts to the stream URL and reads its server-sent events
// (delta, restart, final). Without this script (or without fetch streams) the form posts as a plain form.
// The answer is drafted below the conversation's earlier turns; the final event's HTML replaces the whole
// conversation, and its `conversation` id goes into the form, so the next question is a follow-up.
// One question at a time: the question box is emptied when it is sent (the draft card shows it) and the
// Ask button is disabled until the answer is finished, so a follow-up typed meanwhile is neither lost nor
// sent before the conversation it follows exists.
(function () {
  "use strict";
  const form = document.getElementById("ask-form");
  if (!form || !window.fetch || !window.TextDecoder || !window.ReadableStream) return;
  const status = document.getElementById("asking");
  const button = form.querySelector("button[type=submit]");
  let busy = false;

  function resultSection() {
    return document.getElementById("result");
  }

  // The answer card while it streams: text only (textContent), never HTML from the stream. The earlier
  // turns stay; the suggestions and an earlier error go.
  function draft(question) {
    const section = resultSection();
    for (const gone of section.querySelectorAll(".suggestions, .error, .answer[aria-busy]")) gone.remove();
    const card = document.createElement("article");
    card.className = "card answer";
    card.setAttribute("aria-busy", "true");
    const heading = document.createElement("h2");
    heading.className = "question";
    heading.textContent = question;
    const note = document.createElement("p");
    note.className = "notice";
    note.hidden = true;
    const text = document.createElement("p");
    text.className = "answer-text streaming";
    card.append(heading, note, text);
    section.append(card);
    return { card: card, text: text, note: note };
  }

  // Returns whether the HTML held a result to show (an error page of a proxy or of a refused CSRF token
  // does not).
  function replaceResult(html) {
    const template = document.createElement("template");
    template.innerHTML = html; // rendered and escaped by the server's template
    const fresh = template.content.getElementById("result");
    if (!fresh) return false;
    resultSection().replaceWith(fresh);
    if (window.htmx) window.htmx.process(fresh); // the answer's feedback form is an htmx form
    if (fresh.dataset.conversation) form.elements.conversation.value = fresh.dataset.conversation;
    return true;
  }

  function handle(name, data, view) {
    if (name === "delta") {
      view.text.textContent += data.text;
    } else if (name === "restart") {
      view.text.textContent = "";
      view.note.textContent = data.reason; // the server says what happens next
      view.note.hidden = false;
    } else if (name === "final") {
      replaceResult(data.html);
    } else if (name === "error") {
      view.note.textContent = data.message;
      view.note.hidden = false;
    }
  }

  async function read(response, view) {
    const reader = response.body.getReader();
    const decoder = new TextDecoder();
    let buffer = "";
    let finished = false;
    for (;;) {
      const chunk = await reader.read();
      if (chunk.done) break;
      buffer += decoder.decode(chunk.value, { stream: true });
      let end;
      while ((end = buffer.indexOf("\n\n")) !== -1) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        let name = "message";
        let data = "";
        for (const line of block.split("\n")) {
          if (line.startsWith("event: ")) name = line.slice(7);
          else if (line.startsWith("data: ")) data += line.slice(6);
        }
        if (data) handle(name, JSON.parse(data), view);
        if (name === "final" || name === "error") finished = true;
      }
    }
    return finished;
  }

  form.addEventListener("submit", async function (event) {
    event.preventDefault();
    if (busy) return; // Enter pressed while an answer is still being written
    const body = new FormData(form);
    const question = String(body.get("question") || "").trim();
    const box = form.elements.question;
    busy = true;
    button.disabled = true;
    box.value = "";
    box.focus(); // the disabled button loses the focus; the next question is typed here
    status.hidden = false;
    let view = null;
    let sent = false;
    try {
      view = draft(question);
      const response = await fetch(form.dataset.streamUrl, {
        method: "POST",
        body: body,
        headers: { "X-CSRFToken": body.get("csrfmiddlewaretoken") },
        credentials: "same-origin",
      });
      if (!response.ok) {
        if (!replaceResult(await response.text())) {
          view.card.removeAttribute("aria-busy");
          view.note.textContent =
            "Sluice could not take the question (HTTP " + response.status + "). Reload the page and ask again.";
          view.note.hidden = false;
        }
      } else if (!(await read(response, view))) {
        throw new Error("the answer stopped before it was finished");
      } else {
        sent = true;
      }
    } catch (error) {
      if (view) {
        view.note.textContent =
          "The connection was lost before the answer was finished. Ask again; what was sent is in the audit log.";
        view.note.hidden = false;
      }
    } finally {
      if (!sent && !box.value) box.value = question; // to correct or ask again without typing it again
      busy = false;
      button.disabled = false;
      status.hidden = true;
    }
  });
})();
