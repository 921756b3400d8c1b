// The playground page: pick who you are, talk to the app, see what it sends back.
(function () {
  "use strict";
  const { render, mrkdwn, textObject, html } = window.BlockKit;
  const HINTS = ["/task new [UP-42] Fix the beak", "/task help", "/balance", "/shuffle", "/accounting", "/analytics", "/ates role "];
  const params = new URLSearchParams(location.search);
  let me = params.get("user") || localStorage.getItem("ates-playground-user") || "UADA";
  let current = params.get("view") || "home";
  let state = null;
  let modalKey = "";
  const seen = {};

  const $ = (id) => document.getElementById(id);

  async function call(path, body) {
    const response = await fetch(path, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ user: me, ...body }),
    });
    const answer = await response.json().catch(() => ({ ok: false, error: `HTTP ${response.status}` }));
    if (!response.ok || answer.ok === false) toast(answer.error || `The app answered HTTP ${answer.status}`, true);
    return answer;
  }

  function toast(text, bad) {
    const node = document.createElement("div");
    node.className = "toast" + (bad ? " bad" : "");
    node.textContent = text;
    $("toast").append(node);
    setTimeout(() => node.remove(), 6000);
  }

  function peopleById() {
    return Object.fromEntries(state.people.map((p) => [p.id, p]));
  }

  function conversation(id) {
    return state.conversations.find((c) => c.id === id);
  }

  function renderSidebar(people) {
    const self = people[me];
    $("me").innerHTML = `<img src="${html(self.avatar)}" alt=""> <span>${html(self.name)}</span>` +
      (self.role ? `<span class="role">${html(self.role)}</span>` : "");
    const nav = $("nav");
    nav.replaceChildren();
    const items = [["home", "Home"], ...state.conversations.map((c) => [c.id, c.kind === "dm" ? "aTES (DM)" : `# ${c.name}`])];
    for (const [id, label] of items) {
      const item = document.createElement("button");
      item.type = "button";
      item.className = "nav-item" + (id === current ? " current" : "");
      item.dataset.view = id;
      item.innerHTML = html(label);
      const unread = id === "home" ? 0 : conversation(id).messages.length - (seen[id] || 0);
      if (unread > 0 && id !== current) item.innerHTML += `<span class="badge">${unread}</span>`;
      item.onclick = () => show(id);
      nav.append(item);
    }
    const list = $("people");
    list.replaceChildren();
    for (const person of state.people.filter((p) => !p.is_bot)) {
      const row = document.createElement("button");
      row.type = "button";
      row.className = "person" + (person.id === me ? " current" : "");
      row.dataset.user = person.id;
      row.innerHTML = `<img src="${html(person.avatar)}" alt=""> <span>${html(person.name)}</span>` +
        (person.role ? `<span class="role">${html(person.role)}</span>` : "");
      row.onclick = () => become(person.id);
      list.append(row);
    }
    $("close-day").disabled = !state.can_close_day;
    if (!state.can_close_day) $("close-day").title = "The daily close is not wired to the playground in this build";
  }

  function messageNode(message, people, channel) {
    const author = people[message.author] || { name: message.author, avatar: "" };
    const node = document.createElement("div");
    node.className = "message" + (message.ephemeral ? " ephemeral" : "");
    node.dataset.ts = message.ts;
    const when = new Date(parseFloat(message.ts) * 1000).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit", hourCycle: "h23" });
    const body = document.createElement("div");
    body.innerHTML = `<span class="author">${html(author.name)}</span>${author.is_bot ? '<span class="app-tag">APP</span>' : ""}` +
      `<span class="when">${when}</span>${message.edited ? '<span class="edited">(edited)</span>' : ""}` +
      (message.ephemeral ? '<span class="only-you">Only visible to you</span>' : "");
    const content = document.createElement("div");
    content.className = "content";
    if (message.author === me && message.ephemeral) content.innerHTML = `<span class="command-echo">${html(message.text)}</span>`;
    else if (message.blocks.length) {
      const ctx = { people, inputs: {}, onAction: (blockId, element, value) => call("/playground/action", {
        channel, ts: message.ts, block_id: blockId, action_id: element.action_id, value }) };
      content.append(render(message.blocks, ctx));
    } else content.innerHTML = mrkdwn(message.text, people);
    for (const file of message.files || []) {
      const link = document.createElement("a");
      link.className = "file";
      link.href = file.url_private;
      link.target = "_blank";
      link.innerHTML = file.is_image ? `<img src="${html(file.url_private)}" alt="">${html(file.title)}` : `📎 ${html(file.title || file.name)}`;
      content.append(link);
    }
    body.append(content);
    node.innerHTML = `<img src="${html(author.avatar)}" alt="">`;
    node.append(body);
    return node;
  }

  function renderPane(people) {
    const pane = $("pane");
    pane.replaceChildren();
    if (current === "home") {
      $("title").textContent = "aTES — Home";
      const home = document.createElement("div");
      home.id = "home";
      if (!state.home) home.innerHTML = '<div class="empty">The app has not published a Home tab for you yet.</div>';
      else {
        const ctx = { people, inputs: {}, onAction: (blockId, element, value) => call("/playground/action", {
          view_id: state.home.id, block_id: blockId, action_id: element.action_id, value, values: readInputs(ctx) }) };
        home.append(render(state.home.blocks, ctx));
      }
      pane.append(home);
      return;
    }
    const channel = conversation(current);
    $("title").textContent = channel.kind === "dm" ? "aTES (your DM with the app)" : `# ${channel.name}`;
    seen[current] = channel.messages.length;
    if (!channel.messages.length) pane.innerHTML = '<div class="empty">No messages here yet.</div>';
    for (const message of channel.messages) pane.append(messageNode(message, people, channel.id));
    pane.scrollTop = pane.scrollHeight;
  }

  function readInputs(ctx) {
    const values = {};
    for (const [blockId, readers] of Object.entries(ctx.inputs)) {
      values[blockId] = Object.fromEntries(Object.entries(readers).map(([actionId, read]) => [actionId, read()]));
    }
    return values;
  }

  function renderModal(people) {
    const view = state.modals[state.modals.length - 1];
    const key = view ? `${view.id}:${view.hash}` : "";
    if (key === modalKey) return;
    modalKey = key;
    const root = $("modal-root");
    root.replaceChildren();
    if (!view) return;
    const ctx = { people, inputs: {}, onAction: (blockId, element, value) => call("/playground/action", {
      view_id: view.id, block_id: blockId, action_id: element.action_id, value, values: readInputs(ctx) }) };
    const overlay = document.createElement("div");
    overlay.className = "overlay";
    const modal = document.createElement("form");
    modal.className = "modal";
    modal.innerHTML = `<div class="modal-title">${textObject(view.title, people)}</div>`;
    const body = document.createElement("div");
    body.className = "modal-body";
    body.append(render(view.blocks, ctx));
    const general = document.createElement("div");
    general.className = "bk-error";
    body.append(general);
    const actions = document.createElement("div");
    actions.className = "modal-actions";
    const close = document.createElement("button");
    close.type = "button";
    close.textContent = view.close ? view.close.text : "Cancel";
    close.onclick = () => call("/playground/close-modal", { view_id: view.id });
    actions.append(close);
    if (view.submit) {
      const submit = document.createElement("button");
      submit.type = "submit";
      submit.className = "submit";
      submit.textContent = view.submit.text;
      actions.append(submit);
    }
    modal.append(body, actions);
    modal.onsubmit = async (event) => {
      event.preventDefault();
      const answer = await call("/playground/submit", { view_id: view.id, values: readInputs(ctx) });
      for (const node of modal.querySelectorAll(".bk-error")) node.textContent = "";
      for (const [blockId, text] of Object.entries(answer.errors || {})) {
        const target = modal.querySelector(`.bk-input[data-block-id="${CSS.escape(blockId)}"] .bk-error`) || general;
        target.textContent = text;
      }
    };
    overlay.append(modal);
    root.append(overlay);
  }

  function draw() {
    if (!state) return;
    const people = peopleById();
    if (current !== "home" && !conversation(current)) current = "home";
    renderSidebar(people);
    renderPane(people);
    renderModal(people);
    $("composer").style.display = current === "home" ? "none" : "flex";
  }

  async function refresh(force) {
    const since = !force && state ? `&since=${state.version}` : "";
    const response = await fetch(`/playground/state?user=${encodeURIComponent(me)}${since}`);
    const answer = await response.json();
    if (!response.ok) { toast(answer.error, true); return; }
    if (answer.unchanged) return;
    state = answer;
    draw();
  }

  function show(id) {
    current = id;
    if (id === "home") call("/playground/home", {});
    draw();
  }

  function become(user) {
    me = user;
    localStorage.setItem("ates-playground-user", user);
    modalKey = "";
    for (const key of Object.keys(seen)) delete seen[key];
    refresh(true).then(() => show(current));
  }

  $("composer").onsubmit = async (event) => {
    event.preventDefault();
    const line = $("line").value.trim();
    if (!line) return;
    $("line").value = "";
    await call("/playground/send", { channel: current, text: line });
    refresh(false);
  };

  $("close-day").onclick = async () => {
    const answer = await call("/playground/close-day", {});
    if (answer.ok) toast(answer.summary || "The day is closed.");
  };

  for (const hint of HINTS) {
    const chip = document.createElement("span");
    chip.className = "hint";
    chip.textContent = hint.trim();
    chip.onclick = () => { $("line").value = hint; $("line").focus(); };
    $("hints").append(chip);
  }

  async function poll() {
    try { await refresh(false); } catch (error) { /* the app may be restarting: try again */ }
    setTimeout(poll, 500);
  }
  refresh(true).then(() => { show(current); poll(); });
})();
