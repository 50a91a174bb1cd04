// The composer's @ and # pickers: what the person is typing a mention of,
// who or what matches, and the mentions Slack would send once picked.
//
// The composer shows a picked person as "@lee" and a channel as "#nursing",
// as Slack's composer does; on sending, each picked mention becomes what
// Slack sends: `<@U…>` and `<#C…|name>` in messages, `<@U…|name>` and
// `<#C…|name>` in the text of a slash command whose manifest entry says
// `should_escape: true`, and the typed text unchanged for one that says
// false (Slack does not translate those). Only mentions picked from the
// list are turned into ids: anything typed stays exactly as written.
//
// No DOM here, so the functions can be checked anywhere (selftest.js).

/** The mention being typed just before `caret`: {sigil, query, start} or null. */
export function mentionAt(text, caret) {
  const before = text.slice(0, caret);
  const m = before.match(/(^|\s)([@#])([^\s@#<>]*)$/);
  if (!m) return null;
  return { sigil: m[2], query: m[3], start: before.length - m[3].length - 1 };
}

const norm = (s) => String(s || "").toLowerCase();

/** People (for @) or channels (for #) matching `query`, best first, at most `max`. */
export function mentionMatches(sigil, query, people, channels, max = 8) {
  const q = norm(query);
  const score = (fields) => {
    const f = fields.map(norm);
    if (f.some((x) => x.startsWith(q))) return 0;
    if (f.some((x) => x.split(/\s+/).some((w) => w.startsWith(q)))) return 1;
    if (f.some((x) => x.includes(q))) return 2;
    return null;
  };
  const pool = sigil === "@"
    ? people.map((p) => ({ kind: "person", id: p.id, name: p.name, label: p.real_name || p.name, detail: p.title || "", s: score([p.name, p.real_name]) }))
    : channels.filter((c) => c.kind !== "dm").map((c) => ({ kind: "channel", id: c.id, name: c.name, label: c.name, detail: c.topic || "", s: score([c.name]) }));
  return pool
    .filter((x) => x.s !== null)
    .sort((a, b) => a.s - b.s || a.label.localeCompare(b.label))
    .slice(0, max);
}

/** `text` with the mention at `at` (from mentionAt) replaced by the picked one. */
export function insertMention(text, at, caret, pick) {
  const sigil = pick.kind === "person" ? "@" : "#";
  const shown = `${sigil}${pick.name} `;
  const rest = text.slice(caret).replace(/^\S*\s?/, "");
  return { text: text.slice(0, at.start) + shown + rest, caret: at.start + shown.length };
}

const escapeRe = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/**
 * The text Slack would send for `text` with the mentions in `picked`
 * ({kind, id, name}). `mode`: "message", "escape" (a command that escapes)
 * or "plain" (a command that does not).
 */
export function encodeMentions(text, picked, mode) {
  if (mode === "plain") return text;
  let out = text;
  for (const p of picked) {
    const sigil = p.kind === "person" ? "@" : "#";
    let token;
    if (p.kind === "person") token = mode === "escape" ? `<@${p.id}|${p.name}>` : `<@${p.id}>`;
    else token = `<#${p.id}|${p.name}>`;
    const re = new RegExp(`(^|[^\\w@#<|])${escapeRe(sigil + p.name)}(?![\\w-])`, "g");
    out = out.replace(re, (_, lead) => lead + token);
  }
  return out;
}
