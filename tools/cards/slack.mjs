// A plain HTML likeness of Slack's Block Kit, enough to see a message at a glance: headers,
// sections (mrkdwn with *bold*, _italic_, `code` and > quotes; a button or overflow menu on
// the right), context lines, buttons in rows, inputs. Slack's own rendering differs in detail.

const STYLE = `
body { margin: 0; padding: 16px; background: #FFFFFF; }
#shot { display: inline-block; padding: 8px 0; background: white;
        font-family: Lato, "Helvetica Neue", Helvetica, Arial, sans-serif; font-size: 15px;
        line-height: 1.46668; color: #1D1C1D; }
.message { display: flex; gap: 8px; padding: 8px 20px 8px 16px; box-sizing: border-box; }
.avatar { flex: 0 0 36px; height: 36px; border-radius: 6px; background: #005EB8; color: white;
          font-weight: 900; font-size: 18px; display: flex; align-items: center; justify-content: center; }
.main { flex: 1 1 auto; min-width: 0; }
.who { font-weight: 900; } .app { font-size: 10px; font-weight: 700; color: #616061;
       background: #EBEAEB; border-radius: 2px; padding: 1px 3px; margin-left: 4px; vertical-align: 1px; }
.time { color: #616061; font-size: 12px; margin-left: 6px; }
.block { margin: 6px 0; overflow-wrap: anywhere; }
.header { font-size: 18px; font-weight: 900; line-height: 1.33; margin: 6px 0 8px; }
.section { display: flex; gap: 12px; align-items: flex-start; }
.section .text { flex: 1 1 auto; min-width: 0; }
.context { font-size: 12px; color: #616061; line-height: 1.5; display: flex; flex-wrap: wrap; gap: 4px; }
.actions { display: flex; flex-wrap: wrap; gap: 8px; margin: 8px 0 4px; }
.button { font: inherit; font-size: 13px; font-weight: 700; line-height: 1.38; color: #1D1C1D;
          background: white; border: 1px solid rgba(29,28,29,.3); border-radius: 4px;
          padding: 0 12px; height: 28px; white-space: nowrap; max-width: 100%;
          overflow: hidden; text-overflow: ellipsis; }
.button.primary { background: #007A5A; color: white; border-color: #007A5A; }
.button.danger { color: #E01E5A; border-color: #E01E5A; }
.button.link::after { content: " ↗"; font-weight: 400; }
.overflow { font-weight: 900; padding: 0 8px; letter-spacing: 1px; }
blockquote { margin: 0; padding-left: 12px; border-left: 4px solid #DDDDDD; }
code { font-family: Monaco, Menlo, Consolas, "Courier New", monospace; font-size: 12px;
       color: #E01E5A; background: rgba(29,28,29,.04); border: 1px solid rgba(29,28,29,.13);
       border-radius: 3px; padding: 2px 3px 1px; }
a { color: #1264A3; text-decoration: none; }
hr { border: 0; border-top: 1px solid #DDDDDD; margin: 8px 0; }
.input label { font-weight: 700; display: block; margin-bottom: 4px; }
.input .box { border: 1px solid rgba(29,28,29,.3); border-radius: 4px; height: 72px; }
.modal { margin: 0 8px; border-radius: 8px; box-shadow: 0 0 0 1px rgba(29,28,29,.13), 0 4px 12px rgba(0,0,0,.12); }
.modal-title { font-size: 22px; font-weight: 900; padding: 16px 20px; border-bottom: 1px solid #DDDDDD; }
.modal-body { padding: 12px 20px; }
.modal-foot { display: flex; justify-content: flex-end; gap: 8px; padding: 16px 20px;
              border-top: 1px solid #DDDDDD; }
.unknown { color: #E01E5A; font-size: 12px; font-family: monospace; }
`;

const escapeHtml = (text) =>
  text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

// Slack sends `&amp;`, `&lt;` and `&gt;` for the characters themselves; `<url|text>` is a link.
const unescapeSlack = (text) => text.replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&amp;/g, "&");

function inline(line) {
  const parts = [];
  const pattern = /`([^`\n]+)`|<([^>|\s]+)(?:\|([^>]+))?>/g;
  let last = 0;
  for (const found of line.matchAll(pattern)) {
    parts.push(styled(line.slice(last, found.index)));
    if (found[1] !== undefined) parts.push(`<code>${escapeHtml(unescapeSlack(found[1]))}</code>`);
    else parts.push(`<a>${escapeHtml(unescapeSlack(found[3] || found[2]))}</a>`);
    last = found.index + found[0].length;
  }
  parts.push(styled(line.slice(last)));
  return parts.join("");
}

function styled(text) {
  let html = escapeHtml(unescapeSlack(text));
  html = html.replace(/(^|[\s(“"'])\*(\S(?:[^*\n]*\S)?)\*(?=$|[\s).,;:!?”"'])/g, "$1<b>$2</b>");
  html = html.replace(/(^|[\s(“"'])_(\S(?:[^_\n]*\S)?)_(?=$|[\s).,;:!?”"'])/g, "$1<i>$2</i>");
  html = html.replace(/(^|[\s(“"'])~(\S(?:[^~\n]*\S)?)~(?=$|[\s).,;:!?”"'])/g, "$1<s>$2</s>");
  return html;
}

export function mrkdwn(text) {
  const out = [];
  let quote = [];
  const flush = () => {
    if (quote.length) out.push(`<blockquote>${quote.join("<br>")}</blockquote>`);
    quote = [];
  };
  for (const line of text.split("\n")) {
    const quoted = line.match(/^(?:&gt;|>) ?(.*)$/);
    if (quoted) {
      quote.push(inline(quoted[1]));
      continue;
    }
    flush();
    out.push(inline(line));
  }
  flush();
  return out.join("<br>").replace(/<\/blockquote><br>/g, "</blockquote>");
}

const textOf = (obj) =>
  !obj ? "" : obj.type === "mrkdwn" ? mrkdwn(obj.text) : escapeHtml(obj.text || "").replace(/\n/g, "<br>");

function element(item) {
  switch (item.type) {
    case "button": {
      const look = [item.style || "", item.url ? "link" : ""].join(" ");
      return `<button class="button ${look}">${escapeHtml(item.text.text)}</button>`;
    }
    case "overflow":
      return `<button class="button overflow" title="${item.options.length} more">⋯</button>`;
    case "static_select":
    case "users_select":
    case "conversations_select":
      return `<button class="button">${escapeHtml(item.placeholder?.text || "Select")} ▾</button>`;
    default:
      return `<span class="unknown">[${escapeHtml(item.type)}]</span>`;
  }
}

function block(b) {
  switch (b.type) {
    case "header":
      return `<div class="block header">${escapeHtml(b.text.text)}</div>`;
    case "section": {
      const fields = (b.fields || []).map((f) => `<div>${textOf(f)}</div>`).join("");
      const accessory = b.accessory ? `<div>${element(b.accessory)}</div>` : "";
      return `<div class="block section"><div class="text">${textOf(b.text)}${fields}</div>${accessory}</div>`;
    }
    case "context":
      return `<div class="block context">${b.elements.map((e) => `<span>${e.type === "image" ? "▣" : textOf(e)}</span>`).join("")}</div>`;
    case "actions":
      return `<div class="block actions">${b.elements.map(element).join("")}</div>`;
    case "divider":
      return `<hr>`;
    case "input":
      return `<div class="block input"><label>${textOf(b.label)}</label><div class="box"></div></div>`;
    default:
      return `<div class="block unknown">[unsupported block: ${escapeHtml(b.type)}]</div>`;
  }
}

function message(blocks, first) {
  const head = first
    ? `<div><span class="who">Rounds</span><span class="app">APP</span><span class="time">10:00</span></div>`
    : "";
  const avatar = first ? `<div class="avatar">R</div>` : `<div style="flex:0 0 36px"></div>`;
  return `<div class="message">${avatar}<div class="main">${head}${blocks.map(block).join("")}</div></div>`;
}

// A form opens in a modal: its title above, its buttons below, no avatar.
function modal(blocks, frame) {
  return `<div class="modal"><div class="modal-title">${escapeHtml(frame.title)}</div>
<div class="modal-body">${blocks.map(block).join("")}</div>
<div class="modal-foot"><button class="button">${escapeHtml(frame.close)}</button>
<button class="button primary">${escapeHtml(frame.submit)}</button></div></div>`;
}

export function slackPage(messages, width, frame) {
  const body = frame
    ? messages.map((blocks) => modal(blocks, frame)).join("")
    : messages.map((blocks, n) => message(blocks, n === 0)).join("");
  return `<!doctype html><html><head><meta charset="utf-8"><style>${STYLE}
#shot { width: ${width}px; }</style></head><body><div id="shot">${body}</div></body></html>`;
}
