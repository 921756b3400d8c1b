// Block Kit and mrkdwn, rendered as Slack shows them (the common parts). Exposes window.BlockKit.
(function () {
  "use strict";
  // Filled from /playground/emoji.json (the `emoji` package's shortcodes) before the first render.
  let EMOJI = {};
  function useEmoji(table) { EMOJI = table || {}; }

  function html(text) {
    return String(text).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
  }
  function unslack(text) { return text.replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&amp;/g, "&"); }
  function emoji(escaped) { return escaped.replace(/:([a-z0-9_+\-']+):/gi, (all, name) => EMOJI[name.toLowerCase()] || all); }

  function inline(escaped) {
    return emoji(escaped)
      .replace(/`([^`\n]+)`/g, "<code>$1</code>")
      .replace(/(^|[\s(>])\*([^*\n]+)\*(?=$|[\s.,!?:;)<])/g, "$1<b>$2</b>")
      .replace(/(^|[\s(>])_([^_\n]+)_(?=$|[\s.,!?:;)<])/g, "$1<i>$2</i>")
      .replace(/(^|[\s(>])~([^~\n]+)~(?=$|[\s.,!?:;)<])/g, "$1<s>$2</s>");
  }

  function control(inner, people) {
    const [target, label] = inner.split("|", 2);
    if (target.startsWith("@")) {
      const id = target.slice(1);
      const who = people[id];
      // Slack shows a member's current name, whatever label the text carries
      return `<span class="mention" data-user="${html(id)}">@${html(who ? who.name : label || id)}</span>`;
    }
    if (target.startsWith("#")) return `<span class="mention">#${html(label || target.slice(1))}</span>`;
    if (target.startsWith("!")) return `<span class="mention">@${html(label || target.slice(1).split("^")[0])}</span>`;
    const href = /^(https?:|mailto:)/.test(target) ? target : "#";
    return `<a href="${html(href)}" target="_blank" rel="noopener">${html(unslack(label || target))}</a>`;
  }

  function mrkdwnLine(line, people) {
    let out = "";
    let last = 0;
    for (const match of line.matchAll(/<([^<>]+)>/g)) {
      out += inline(html(unslack(line.slice(last, match.index))));
      out += control(match[1], people);
      last = match.index + match[0].length;
    }
    return out + inline(html(unslack(line.slice(last))));
  }

  function mrkdwn(text, people) {
    return String(text || "").split("\n").map((line) => {
      if (line.startsWith(">")) return `<blockquote>${mrkdwnLine(line.slice(1), people)}</blockquote>`;
      return mrkdwnLine(line, people) + "<br>";
    }).join("").replace(/<br>$/, "");
  }

  function textObject(obj, people) {
    if (!obj) return "";
    if (obj.type === "mrkdwn") return mrkdwn(obj.text, people);
    const plain = html(unslack(obj.text || ""));  // Slack decodes its three entities in plain text too
    return obj.emoji === false ? plain : emoji(plain);
  }

  function el(tag, className, inner) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (inner !== undefined) node.innerHTML = inner;
    return node;
  }

  function options(element) {
    const groups = (element.option_groups || []).flatMap((g) => g.options || []);
    return (element.options || []).concat(groups);
  }

  function select(element, ctx, placeholder, choices) {
    const node = el("select", "bk-select");
    node.dataset.actionId = element.action_id;
    node.append(new Option(placeholder, ""));
    for (const [value, label] of choices) node.append(new Option(label, value));
    return node;
  }

  function userChoices(ctx) {
    return Object.values(ctx.people).filter((p) => !p.is_bot).map((p) => [p.id, p.name]);
  }

  // Slack's confirm object: a dialog that must be accepted before the action reaches the app.
  function confirmed(def, people, then) {
    if (!def) return then();
    const dialog = el("dialog", "bk-confirm");
    dialog.append(el("div", "modal-title", textObject(def.title, people)), el("div", "modal-body", textObject(def.text, people)));
    const actions = el("div", "modal-actions");
    const deny = el("button", "", textObject(def.deny || { type: "plain_text", text: "Cancel" }, people));
    const accept = el("button", `submit ${def.style || ""}`, textObject(def.confirm || { type: "plain_text", text: "Yes" }, people));
    deny.type = accept.type = "button";
    deny.onclick = () => dialog.close();
    accept.onclick = () => { dialog.close(); then(); };
    dialog.onclose = () => dialog.remove();
    actions.append(deny, accept);
    dialog.append(actions);
    document.body.append(dialog);
    dialog.showModal();
  }

  // An interactive element; `onAction(value)` fires when it is clicked or chosen (after its confirm, if any).
  function element(elementDef, blockId, ctx) {
    const act = (value) => confirmed(elementDef.confirm, ctx.people, () => ctx.onAction(blockId, elementDef, value));
    switch (elementDef.type) {
      case "button": {
        const node = el("button", `bk-button ${elementDef.style || ""}`, textObject(elementDef.text, ctx.people));
        node.type = "button";
        node.dataset.actionId = elementDef.action_id;
        node.onclick = () => act(null);
        return node;
      }
      case "overflow": {
        const node = select(elementDef, ctx, "⋯", options(elementDef).map((o) => [o.value, o.text.text]));
        node.classList.add("bk-overflow");
        node.onchange = () => node.value && act(node.value);
        return node;
      }
      case "static_select": case "external_select": {
        const label = elementDef.placeholder ? elementDef.placeholder.text : "Choose…";
        const node = select(elementDef, ctx, label, options(elementDef).map((o) => [o.value, o.text.text]));
        node.onchange = () => node.value && act(node.value);
        return node;
      }
      case "users_select": {
        const node = select(elementDef, ctx, "Choose a person…", userChoices(ctx));
        node.onchange = () => node.value && act(node.value);
        return node;
      }
      case "datepicker": {
        const node = el("input", "bk-date");
        node.type = "date";
        node.onchange = () => node.value && act(node.value);
        return node;
      }
      case "image": {
        const node = el("img", "bk-accessory-image");
        node.src = elementDef.image_url;
        node.alt = elementDef.alt_text || "";
        return node;
      }
      default:
        return el("span", "bk-hint", `[${html(elementDef.type)}]`);
    }
  }

  // An input block's element inside a view; registers how to read its value into ctx.inputs.
  function input(block, ctx) {
    const def = block.element || {};
    const wrap = el("div", "bk-input");
    wrap.dataset.blockId = block.block_id;
    const label = el("label", "", textObject(block.label, ctx.people) + (block.optional ? ' <span class="bk-hint">(optional)</span>' : ""));
    wrap.append(label);
    let node;
    let read;
    if (def.type === "plain_text_input" || def.type === "number_input" || def.type === "email_text_input" || def.type === "url_text_input") {
      node = el(def.multiline ? "textarea" : "input");
      if (!def.multiline) node.type = def.type === "number_input" ? "number" : "text";
      node.value = def.initial_value || "";
      if (def.placeholder) node.placeholder = def.placeholder.text;
      read = () => node.value;
    } else if (def.type === "static_select" || def.type === "users_select") {
      const choices = def.type === "users_select" ? userChoices(ctx) : options(def).map((o) => [o.value, o.text.text]);
      node = select(def, ctx, def.placeholder ? def.placeholder.text : "Choose…", choices);
      if (def.initial_option) node.value = def.initial_option.value;
      if (def.initial_user) node.value = def.initial_user;
      read = () => node.value || null;
    } else if (def.type === "radio_buttons" || def.type === "checkboxes") {
      node = el("div", "bk-choices");
      const kind = def.type === "radio_buttons" ? "radio" : "checkbox";
      for (const option of options(def)) {
        const row = el("label", "");
        const box = el("input");
        box.type = kind;
        box.name = `${block.block_id}-${def.action_id}`;
        box.value = option.value;
        row.append(box, " ", el("span", "", textObject(option.text, ctx.people)));
        node.append(row);
      }
      read = () => {
        const picked = [...node.querySelectorAll("input:checked")].map((b) => b.value);
        return kind === "radio" ? picked[0] || null : picked;
      };
    } else if (def.type === "datepicker") {
      node = el("input");
      node.type = "date";
      node.value = def.initial_date || "";
      read = () => node.value || null;
    } else {
      node = el("div", "bk-hint", `[${html(def.type)} is not supported by the playground]`);
      read = () => null;
    }
    node.dataset.actionId = def.action_id;
    wrap.append(node);
    if (block.hint) wrap.append(el("div", "bk-hint", textObject(block.hint, ctx.people)));
    wrap.append(el("div", "bk-error"));
    ctx.inputs[block.block_id] = { [def.action_id]: read };
    return wrap;
  }

  // rich_text is shown verbatim: only the styles and elements the app set, never mrkdwn read into the text.
  function richInline(item, people) {
    const style = item.style || {};
    let out;
    switch (item.type) {
      case "text": out = html(item.text || "").replace(/\n/g, "<br>"); break;
      case "link": {
        const href = /^(https?:|mailto:)/.test(item.url || "") ? item.url : "#";
        out = `<a href="${html(href)}" target="_blank" rel="noopener">${html(item.text || item.url || "")}</a>`;
        break;
      }
      case "user": {
        const who = people[item.user_id];
        out = `<span class="mention" data-user="${html(item.user_id)}">@${html(who ? who.name : item.user_id)}</span>`;
        break;
      }
      case "channel": out = `<span class="mention">#${html(item.channel_id)}</span>`; break;
      case "broadcast": out = `<span class="mention">@${html(item.range)}</span>`; break;
      case "emoji": out = item.unicode ? String.fromCodePoint(...item.unicode.split("-").map((h) => parseInt(h, 16)))
        : emoji(`:${html(item.name)}:`); break;
      default: out = html(item.text || "");
    }
    if (style.code) out = `<code>${out}</code>`;
    if (style.bold) out = `<b>${out}</b>`;
    if (style.italic) out = `<i>${out}</i>`;
    if (style.strike) out = `<s>${out}</s>`;
    return out;
  }

  function richPart(part, people) {
    const inline = (items) => (items || []).map((item) => richInline(item, people)).join("");
    switch (part.type) {
      case "rich_text_section": return el("div", "bk-rich", inline(part.elements));
      case "rich_text_quote": return el("blockquote", "", inline(part.elements));
      case "rich_text_preformatted": return el("pre", "bk-pre", inline(part.elements));
      case "rich_text_list": {
        const list = el(part.style === "ordered" ? "ol" : "ul", "bk-list");
        list.style.marginLeft = `${(part.indent || 0) * 20}px`;
        for (const item of part.elements || []) list.append(el("li", "", inline(item.elements)));
        return list;
      }
      default: return el("div", "bk-hint", `[${html(part.type)}]`);
    }
  }

  function richText(b, people) {
    const node = el("div", "bk-section bk-rich-text");
    for (const part of b.elements || []) node.append(richPart(part, people));
    return node;
  }

  function block(b, ctx) {
    const people = ctx.people;
    switch (b.type) {
      case "section": {
        const node = el("div", "bk-section");
        const text = el("div", "bk-text", textObject(b.text, people));
        if (b.fields) {
          const fields = el("div", "bk-fields");
          for (const field of b.fields) fields.append(el("div", "", textObject(field, people)));
          text.append(fields);
        }
        node.append(text);
        if (b.accessory) node.append(element(b.accessory, b.block_id, ctx));
        return node;
      }
      case "context": {
        const node = el("div", "bk-context");
        for (const item of b.elements || []) {
          if (item.type === "image") node.append(element(item, b.block_id, ctx));
          else node.append(el("span", "", textObject(item, people)));
        }
        return node;
      }
      case "actions": {
        const node = el("div", "bk-actions");
        for (const item of b.elements || []) node.append(element(item, b.block_id, ctx));
        return node;
      }
      case "header": return el("div", "bk-header", textObject(b.text, people));
      case "divider": return el("hr", "bk-divider");
      case "image": {
        const node = el("div", "bk-image", b.title ? `<div>${textObject(b.title, people)}</div>` : "");
        const img = el("img");
        // A file the app uploaded (slack_file) is served by the playground, as its Web API answered its upload.
        const file = b.slack_file;
        img.src = file ? file.url || `/playground/files/${encodeURIComponent(file.id)}` : b.image_url;
        img.alt = b.alt_text || "";
        const full = el("a");  // as in Slack, a click shows the image at full size
        full.href = img.src;
        full.target = "_blank";
        full.append(img);
        node.append(full);
        return node;
      }
      case "input": return input(b, ctx);
      case "rich_text": return richText(b, people);
      default: return el("div", "bk-hint", `[${html(b.type)} block]`);
    }
  }

  function render(blocks, ctx) {
    const frag = document.createDocumentFragment();
    for (const b of blocks || []) frag.append(block(b, ctx));
    return frag;
  }

  window.BlockKit = { render, mrkdwn, textObject, html, useEmoji };
})();
