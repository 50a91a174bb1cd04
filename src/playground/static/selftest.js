// Checks of the Block Kit and mrkdwn renderer, run in a real browser by
// opening /playground/static/selftest.html. The page ends with
// `[data-testid=selftest-summary]` reading "N passed, 0 failed" (and
// `data-failed="0"`), which the browser tests assert.

import { renderMrkdwn, renderPlain } from "./mrkdwn.js";
import { renderBlocks, setBlockError, stateValues } from "./blockkit.js";
import { mentionAt, mentionMatches, insertMention, encodeMentions } from "./pickers.js";

const people = { U0BEN: { id: "U0BEN", real_name: "Ben Okafor" }, U0ANA: { id: "U0ANA", real_name: "Ana Ruiz" } };
const channels = { C0NURSING: { id: "C0NURSING", name: "nursing", kind: "channel" } };
const ctx = {
  person: (id) => people[id],
  channel: (id) => channels[id],
  people: () => Object.values(people),
  channels: () => Object.values(channels),
};
const md = (text) => renderMrkdwn(text, document.createElement("div"), ctx);
const pt = (text, emoji = true) => ({ type: "plain_text", text, emoji });
const blocks = (list, extra = {}) => renderBlocks(list, { ...ctx, ...extra });

const results = [];
function check(name, fn) {
  let ok = false;
  let detail = "";
  try {
    const r = fn();
    ok = r === true;
    if (!ok) detail = String(r);
  } catch (e) {
    detail = `exception: ${e.message}`;
  }
  results.push({ name, ok, detail });
}

// ------------------------------------------------------------------ mrkdwn

check("escaped markup shows as text", () => {
  const d = md("&lt;script&gt;alert(1)&lt;/script&gt; &lt;img src=x onerror=alert(1)&gt;");
  return !d.querySelector("script, img") && d.textContent === "<script>alert(1)</script> <img src=x onerror=alert(1)>";
});
check("escaped mention, broadcast and link stay text", () => {
  const d = md("&lt;!channel&gt; &lt;@U0BEN&gt; &lt;http://evil.example|bank&gt;");
  // The bare URL may be linked (as Slack does), but never under another label.
  const disguised = [...d.querySelectorAll("a")].some((a) => a.textContent !== a.getAttribute("href"));
  return !disguised && !d.querySelector(".mention") && d.textContent === "<!channel> <@U0BEN> <http://evil.example|bank>";
});
check("an escaped entity shows as typed", () => md("&amp;lt;").textContent === "&lt;");
check("javascript: links are not links", () => {
  const d = md("<javascript:alert(1)|click> <data:text/html,x|data>");
  return !d.querySelector("a") && d.textContent === "click data";
});
check("http links open safely in a new tab", () => {
  const a = md("<https://example.org/a?b=1&amp;c=2|the report>").querySelector("a");
  return a.getAttribute("href") === "https://example.org/a?b=1&c=2" && a.rel === "noopener noreferrer" &&
    a.target === "_blank" && a.textContent === "the report";
});
check("mailto links", () => md("<mailto:a@example.org|write>").querySelector("a")?.getAttribute("href") === "mailto:a@example.org");
check("bare URLs become links", () => {
  const d = md("see https://example.org/x. then");
  return d.querySelector("a")?.getAttribute("href") === "https://example.org/x" && d.textContent === "see https://example.org/x. then";
});
check("mentions show names", () => md("<@U0BEN> and <@U0NOBODY>").textContent === "@Ben Okafor and @U0NOBODY");
check("channels show names", () => md("<#C0NURSING> <#C0OTHER|other>").textContent === "#nursing #other");
check("broadcasts", () => md("<!here> <!channel> <!everyone>").textContent === "@here @channel @everyone");
check("bold, italic, strike and code", () => {
  const d = md("*b* _i_ ~s~ `c`");
  return d.querySelector("strong")?.textContent === "b" && d.querySelector("em")?.textContent === "i" &&
    d.querySelector("s")?.textContent === "s" && d.querySelector("code")?.textContent === "c";
});
check("marks inside words are text", () => {
  const d = md("snake_case_name 2*3*4");
  return !d.querySelector("em, strong") && d.textContent === "snake_case_name 2*3*4";
});
check("unclosed marks are text", () => md("*open and _open").textContent === "*open and _open");
check("bold around a mention", () => md("*by <@U0BEN>*").querySelector("strong .mention")?.textContent === "@Ben Okafor");
check("code is not formatted", () => !md("`*x* <@U0BEN>`").querySelector("strong, .mention"));
check("code blocks", () => {
  const d = md("before\n```let x = *1*;```\nafter");
  return d.querySelector("pre")?.textContent === "let x = *1*;" && d.textContent === "beforelet x = *1*;after";
});
check("quotes", () => {
  const d = md("> first\n> second\nafter");
  return d.querySelector("blockquote")?.textContent === "first\nsecond" && d.textContent.endsWith("after");
});
check("emoji shortcodes", () => md(":tada: :heart: :not_an_emoji:").textContent === "🎉 ❤️ :not_an_emoji:");
check("plain_text is never formatted", () => {
  const d = renderPlain(pt("*x* <@U0BEN> <b>y</b> :tada:"), document.createElement("div"));
  return !d.querySelector("strong, b, .mention") && d.textContent === "*x* <@U0BEN> <b>y</b> 🎉";
});
check("plain_text without emoji keeps shortcodes", () =>
  renderPlain(pt(":tada:", false), document.createElement("div")).textContent === ":tada:");

// --------------------------------------------------------------- Block Kit

check("hostile text in a section is text", () => {
  const d = blocks([{ type: "section", text: pt('"><img src=x onerror=alert(1)><script>x</script>') }]);
  return !d.querySelector("img, script") && d.textContent.includes("<img src=x");
});
check("header, context, divider", () => {
  const d = blocks([
    { type: "header", text: pt(":dart: Goals") },
    { type: "context", elements: [{ type: "mrkdwn", text: "by <@U0ANA>" }, pt("two")] },
    { type: "divider" },
  ]);
  return d.querySelector('[role="heading"]')?.textContent === "🎯 Goals" && d.querySelector(".bk-context")?.textContent === "by @Ana Ruiztwo" &&
    !!d.querySelector("hr");
});
check("section fields in two columns", () => {
  const d = blocks([{ type: "section", fields: [{ type: "mrkdwn", text: "*A*\n1" }, { type: "mrkdwn", text: "*B*\n2" }] }]);
  document.body.append(d);
  const grid = getComputedStyle(d.querySelector(".bk-fields")).gridTemplateColumns.split(" ").length;
  d.remove();
  return d.querySelectorAll(".bk-fields .bk-field").length === 2 && grid === 2;
});
check("button styles", () => {
  const d = blocks([{ type: "actions", elements: [
    { type: "button", action_id: "a", text: pt("A"), style: "primary" },
    { type: "button", action_id: "b", text: pt("B"), style: "danger" },
    { type: "button", action_id: "c", text: pt("C") },
  ] }]);
  const [a, b, c] = d.querySelectorAll("button");
  return a.classList.contains("bk-btn-primary") && b.classList.contains("bk-btn-danger") && c.className === "bk-btn";
});
check("images only from http(s)", () => {
  const d = blocks([
    { type: "image", image_url: "javascript:alert(1)", alt_text: "bad" },
    { type: "context", elements: [{ type: "image", image_url: "https://example.org/a.png", alt_text: "ok" }] },
  ]);
  const imgs = d.querySelectorAll("img");
  return imgs.length === 1 && imgs[0].getAttribute("src") === "https://example.org/a.png" && imgs[0].alt === "ok";
});
check("a button sends Slack's action shape", () => {
  const sent = [];
  const d = blocks([{ type: "actions", block_id: "B1", elements: [{ type: "button", action_id: "go", text: pt("Go"), value: "7", style: "primary" }] }],
    { act: (a) => { sent.push(a); return Promise.resolve(); } });
  d.querySelector("button").click();
  const a = sent[0];
  return a.type === "button" && a.action_id === "go" && a.block_id === "B1" && a.value === "7" && a.style === "primary" &&
    a.text.text === "Go" && typeof a.action_ts === "string";
});
check("input blocks: label, optional, hint, error", () => {
  const d = blocks([{ type: "input", block_id: "story", optional: true, label: pt("Your story"), hint: pt("No names"),
    element: { type: "plain_text_input", action_id: "story", multiline: true, max_length: 10, placeholder: pt("Tell us") } }]);
  const area = d.querySelector("textarea");
  const label = d.querySelector("label");
  setBlockError(d, "story", "Too personal");
  const err = d.querySelector('[data-testid="input-error-story"]');
  return label.htmlFor === area.id && label.textContent === "Your story (optional)" && d.querySelector(".bk-hint").textContent === "No names" &&
    area.placeholder === "Tell us" && area.maxLength === 10 && !err.hidden && err.textContent === "Too personal" &&
    area.getAttribute("aria-invalid") === "true" && area.getAttribute("aria-describedby").includes(err.id);
});
check("view state values in Slack's shape", () => {
  const registry = new Map();
  const option = (text, value) => ({ text: pt(text), value });
  blocks([
    { type: "input", block_id: "t", label: pt("T"), element: { type: "plain_text_input", action_id: "t", initial_value: "hi" } },
    { type: "input", block_id: "e", label: pt("E"), optional: true, element: { type: "plain_text_input", action_id: "e" } },
    { type: "input", block_id: "s", label: pt("S"), element: { type: "static_select", action_id: "s",
      option_groups: [{ label: pt("G"), options: [option("One", "1"), option("Two", "2")] }], initial_option: option("Two", "2") } },
    { type: "input", block_id: "u", label: pt("U"), element: { type: "users_select", action_id: "u", initial_user: "U0BEN" } },
    { type: "input", block_id: "m", label: pt("M"), element: { type: "multi_users_select", action_id: "m", initial_users: ["U0ANA"] } },
    { type: "input", block_id: "d", label: pt("D"), element: { type: "datepicker", action_id: "d", initial_date: "2026-12-31" } },
    { type: "input", block_id: "r", label: pt("R"), element: { type: "radio_buttons", action_id: "r", options: [option("A", "a"), option("B", "b")], initial_option: option("B", "b") } },
    { type: "input", block_id: "c", label: pt("C"), element: { type: "checkboxes", action_id: "c", options: [option("Yes", "yes")] } },
  ], { registry });
  const v = stateValues(registry);
  const expect = {
    t: { t: { type: "plain_text_input", value: "hi" } },
    e: { e: { type: "plain_text_input", value: null } },
    s: { s: { type: "static_select", selected_option: option("Two", "2") } },
    u: { u: { type: "users_select", selected_user: "U0BEN" } },
    m: { m: { type: "multi_users_select", selected_users: ["U0ANA"] } },
    d: { d: { type: "datepicker", selected_date: "2026-12-31" } },
    r: { r: { type: "radio_buttons", selected_option: option("B", "b") } },
    c: { c: { type: "checkboxes", selected_options: [] } },
  };
  return JSON.stringify(v) === JSON.stringify(expect) || JSON.stringify(v);
});

// ---------------------------------------------------------------- pickers

const pickPeople = [{ id: "U0LEE", name: "lee", real_name: "Lee Chen" }, { id: "U0ANA", name: "ana", real_name: "Ana Ruiz" }];
const pickChannels = [{ id: "C0NURSING", name: "nursing", kind: "channel" }, { id: "DU0ANA", name: "", kind: "dm" }];
check("@ before the caret opens the people picker", () => {
  const at = mentionAt("/goal add Thanks @le", 20);
  return at?.sigil === "@" && at.query === "le" && mentionMatches("@", "le", pickPeople, pickChannels)[0]?.id === "U0LEE";
});
check("an email address is no mention", () => mentionAt("write a@lee", 11) === null);
check("# lists channels, never DMs", () => JSON.stringify(mentionMatches("#", "", pickPeople, pickChannels).map((c) => c.id)) === '["C0NURSING"]');
check("a picked person is shown by name", () => {
  const r = insertMention("hi @l", mentionAt("hi @l", 5), 5, { kind: "person", id: "U0LEE", name: "lee" });
  return r.text === "hi @lee " && r.caret === 8;
});
check("picked mentions are sent as Slack sends them", () => {
  const picked = [{ kind: "person", id: "U0LEE", name: "lee" }, { kind: "channel", id: "C0NURSING", name: "nursing" }];
  const text = "@lee in #nursing, not @leeds";
  return encodeMentions(text, picked, "message") === "<@U0LEE> in <#C0NURSING|nursing>, not @leeds" &&
    encodeMentions(text, picked, "escape") === "<@U0LEE|lee> in <#C0NURSING|nursing>, not @leeds" &&
    encodeMentions(text, picked, "plain") === text;
});
check("typed mentions that were not picked stay as written", () => encodeMentions("@ana <@U0ANA>", [], "message") === "@ana <@U0ANA>");

// ----------------------------------------------------------------- report

const failed = results.filter((r) => !r.ok);
const list = document.getElementById("results");
for (const r of results) {
  const li = document.createElement("li");
  li.className = r.ok ? "pass" : "fail";
  li.textContent = `${r.ok ? "PASS" : "FAIL"} ${r.name}${r.detail ? ` — ${r.detail}` : ""}`;
  list.append(li);
}
const summary = document.getElementById("summary");
summary.textContent = `${results.length - failed.length} passed, ${failed.length} failed`;
summary.dataset.failed = String(failed.length);
summary.dataset.total = String(results.length);
