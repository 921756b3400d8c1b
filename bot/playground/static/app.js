// The playground page: pick who you are, talk to the app, see what it sends back.
(function () {
  "use strict";
  const BlockKit = window.BlockKit;
  const { render, mrkdwn, textObject, html } = BlockKit;
  const HINTS = ["/task new [UP-42] Fix the beak", "/task help", "/task board", "/balance", "/shuffle", "/accounting", "/analytics", "/ates role "];
  const params = new URLSearchParams(location.search);
  let me = params.get("user") || localStorage.getItem("ates-playground-user") || "UADA";
  let current = params.get("view") || "home";
  let state = null;
  let modalKey = "";
  // The newest ts each person has seen in each conversation, for this run of the playground only (kept in
  // localStorage, which every tab of the page shares).
  let seen = { instance: null, byUser: {} };

  const $ = (id) => document.getElementById(id);

  async function call(path, body) {
    let response;
    try {
      response = await fetch(path, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ user: me, ...body }),
      });
    } catch (error) {  // stopped or restarting: nothing reached it
      toast("Not sent: the playground is not answering. Try again once it is back.", true);
      return { ok: false, unsent: true };
    }
    const answer = await response.json().catch(() => ({ ok: false, error: `HTTP ${response.status}` }));
    if (!response.ok || answer.ok === false) toast(answer.error || `The app answered HTTP ${answer.status}`, true);
    return answer;
  }

  function toast(text, bad) {
    const node = document.createElement("div");
    node.className = "toast" + (bad ? " bad" : "");
    node.textContent = text;
    $("toast").append(node);
    while ($("toast").children.length > 3) $("toast").firstChild.remove();
    setTimeout(() => node.remove(), 6000);
  }

  function peopleById() {
    return Object.fromEntries(state.people.map((p) => [p.id, p]));
  }

  function conversation(id) {
    return state.conversations.find((c) => c.id === id);
  }

  function seenBy() {
    return (seen.byUser[me] = seen.byUser[me] || {});
  }

  function unreadIn(channel) {
    const last = parseFloat(seenBy()[channel.id] || "0");
    return channel.messages.filter((m) => m.author !== me && parseFloat(m.ts) > last).length;
  }

  function markSeen(channel) {
    const newest = channel.messages[channel.messages.length - 1];
    if (newest) seenBy()[channel.id] = newest.ts;
    localStorage.setItem("ates-playground-seen", JSON.stringify(seen));
  }

  function loadSeen(instance) {
    try { seen = JSON.parse(localStorage.getItem("ates-playground-seen")) || seen; } catch (error) { /* start afresh */ }
    if (seen.instance !== instance) seen = { instance, byUser: {} };
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
      const unread = id === "home" ? 0 : unreadIn(conversation(id));
      if (unread > 0 && id !== current) item.innerHTML += `<span class="badge">${unread}</span>`;
      item.onclick = () => { document.body.classList.remove("nav-open"); show(id); };
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
      row.onclick = () => { document.body.classList.remove("nav-open"); become(person.id); };
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
    if (message.blocks.length) {
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
    const shortcuts = state.shortcuts.filter((s) => s.kind === "message");
    if (!message.ephemeral && shortcuts.length) {
      const more = document.createElement("button");
      more.type = "button";
      more.className = "more-actions";
      more.title = "More actions";
      more.setAttribute("aria-label", "More actions");
      more.textContent = "⋮";
      more.onclick = (event) => {
        event.stopPropagation();
        openMenu(more, shortcuts, (s) => call("/playground/shortcut", { callback_id: s.callback_id, channel, ts: message.ts }));
      };
      node.append(more);
    }
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
    markSeen(channel);
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
    loadSeen(state.instance);  // what was read in another tab (as anyone) counts here too
    const people = peopleById();
    if (current !== "home" && !conversation(current)) current = "home";
    renderSidebar(people);
    renderPane(people);
    renderModal(people);
    $("composer").style.display = current === "home" ? "none" : "flex";
    $("hints").hidden = current === "home";
    $("commands").replaceChildren(...state.commands.map((c) => new Option(`${c.name} ${c.usage}`.trim() + ` — ${c.description}`, `${c.name} `)));
  }

  async function refresh(force) {
    const since = !force && state ? `&since=${state.version}&instance=${state.instance}` : "";
    const response = await fetch(`/playground/state?user=${encodeURIComponent(me)}${since}`);
    const answer = await response.json();
    if (!response.ok) { toast(answer.error, true); return; }
    if (answer.unchanged) return;
    const restarted = state !== null && answer.instance !== state.instance;
    state = answer;
    $("line").disabled = false;  // typing waits for the workspace (its commands) to load, as in Slack's client
    if (restarted) {
      modalKey = "";
      toast("The playground restarted: this tab has reconnected (messages from before are gone).");
      if (current === "home") call("/playground/home", {});
    }
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
    refresh(true).then(() => show(current));
  }

  // Slack's client refuses an unknown command itself, and keeps what was typed.
  function refusal(line) {
    if (!line.startsWith("/")) return "";
    const name = line.split(/\s/, 1)[0];
    if (state.commands.some((c) => c.name === name)) return "";
    return `${name} is not a valid command. In Slack, all messages that start with the "/" character are ` +
      "interpreted as commands. To send it as a message, start it with a space.";
  }

  $("composer").onsubmit = async (event) => {
    event.preventDefault();
    const line = $("line").value;
    if (!line.trim()) return;
    $("composer-error").textContent = refusal(line);
    if ($("composer-error").textContent) return;
    $("line").value = "";
    const answer = await call("/playground/send", { channel: current, text: line });
    if (!answer.unsent) refresh(false);
    else if (!$("line").value) $("line").value = line;  // as Slack keeps a message it could not send
  };
  $("line").oninput = () => { $("composer-error").textContent = ""; };

  function openMenu(anchor, shortcuts, choose) {
    const menu = $("menu");
    menu.replaceChildren();
    for (const shortcut of shortcuts) {
      const item = document.createElement("button");
      item.type = "button";
      item.className = "menu-item";
      item.dataset.callbackId = shortcut.callback_id;
      item.textContent = shortcut.name;
      item.onclick = () => { closeMenu(); choose(shortcut); };
      menu.append(item);
    }
    const box = anchor.getBoundingClientRect();
    menu.hidden = false;
    menu.style.left = `${Math.max(8, Math.min(box.left, innerWidth - menu.offsetWidth - 8))}px`;
    const below = box.bottom + 4;
    menu.style.top = `${below + menu.offsetHeight < innerHeight ? below : Math.max(8, box.top - menu.offsetHeight - 4)}px`;
    menu.firstChild?.focus();  // Enter picks it, Tab the next, Esc closes, as in Slack's menus
  }

  function closeMenu() { $("menu").hidden = true; }

  $("shortcuts").onclick = (event) => {
    event.stopPropagation();
    openMenu($("shortcuts"), state.shortcuts.filter((s) => s.kind === "global"),
      (s) => call("/playground/shortcut", { callback_id: s.callback_id }));
  };
  $("nav-toggle").onclick = () => document.body.classList.toggle("nav-open");
  document.addEventListener("click", (event) => {
    if (!$("menu").contains(event.target)) closeMenu();
    const outside = !$("sidebar").contains(event.target) && event.target !== $("nav-toggle");
    if (outside) document.body.classList.remove("nav-open");
  });
  document.addEventListener("keydown", (event) => {
    if (event.key !== "Escape") return;
    if (!$("menu").hidden) { closeMenu(); return; }
    if (document.body.classList.contains("nav-open")) { document.body.classList.remove("nav-open"); return; }
    const top = state && state.modals[state.modals.length - 1];
    if (top) call("/playground/close-modal", { view_id: top.id });
  });

  $("close-day").onclick = async () => {
    document.body.classList.remove("nav-open");  // in a narrow window, show the page the close changes
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
    try {
      await refresh(false);
      $("offline").hidden = true;
    } catch (error) {
      $("offline").hidden = false;  // the app is stopped or restarting: keep trying
    }
    setTimeout(poll, 500);
  }

  fetch("/playground/emoji.json").then((r) => r.json()).then(BlockKit.useEmoji)
    .then(() => refresh(true)).then(() => { show(current); poll(); });
})();
