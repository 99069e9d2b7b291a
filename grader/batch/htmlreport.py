"""A student's report as one self-contained HTML page: no scripts, no external assets, every
piece of text escaped, readable on screen and on paper."""

from __future__ import annotations

from html import escape

from grader.batch.gradebook import Graded
from grader.batch.teaching import Entry, note, score, sections
from grader.marking.memo import Memo
from grader.model import Verdict
from grader.render import STATUS_MARK

NL = "\n"
STYLE = """
body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; max-width: 60rem; margin: 2rem auto;
       padding: 0 1rem; line-height: 1.45; color: #111; }
h1 { font-size: 1.6rem; } h2 { font-size: 1.3rem; border-bottom: 1px solid #999; margin-top: 2rem; }
h3 { font-size: 1.05rem; margin-bottom: .3rem; }
.prompt { white-space: pre-wrap; background: #f4f4f4; border-left: 3px solid #888; padding: .4rem .8rem; }
pre { white-space: pre-wrap; overflow-wrap: anywhere; background: #f8f8f8; border: 1px solid #ddd;
      padding: .4rem .6rem; margin: .2rem 0 .6rem; font-size: .92rem; }
.correct { color: #165c1d; } .partial { color: #7a5600; } .incorrect, .invalid { color: #8a1010; }
.compare { display: flex; gap: 1rem; } .compare > div { flex: 1 1 0; min-width: 0; }
dt { font-weight: 600; margin-top: .4rem; } dd { margin-left: 0; }
article { border-top: 1px dotted #bbb; padding-top: .4rem; }
@media print {
  body { margin: 0; max-width: none; font-size: 10.5pt; color: #000; }
  pre, .prompt { background: none; border-color: #aaa; }
  article, .compare { break-inside: avoid; }
  h2 { break-after: avoid; }
}
"""


def html(graded: Graded) -> str:
    """The student's report as a standalone HTML document."""
    seed = f", variant seed {graded.seed}" if graded.seed is not None else ""
    body = [f"<h1>Feedback for {escape(graded.student)}</h1>",
            f"<p>Total: <strong>{score(graded.total)} / {score(graded.maximum)}</strong> "
            f"({graded.percent:.0f}%)<br>Submission: <code>{escape(graded.path)}</code>{seed}</p>"]
    body += [f'<p class="note">note: {escape(warning)}</p>' for warning in graded.warnings]
    for section in sections(graded):
        single = len(section.entries) == 1 and section.entries[0].item == section.question
        body.append("<section>")
        if not single:
            body.append(f"<h2>{escape(section.question)}: {score(section.earned)} / {score(section.points)}</h2>")
        if section.prompt:
            body.append(f'<div class="prompt">{escape(section.prompt)}</div>')
        body += [_entry(entry, "h2" if single else "h3") for entry in section.entries]
        body.append("</section>")
    return ("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
            f"<title>Feedback for {escape(graded.student)}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n"
            + "\n".join(body) + "\n</body>\n</html>\n")


_RENDERED = Memo(5_000)
"""An entry's HTML by entry and heading (entries are shared, as in the Markdown report)."""


def _entry(entry: Entry, heading: str) -> str:
    return _RENDERED.for_object(entry, heading, lambda: _entry_html(entry, heading))


def _entry_html(entry: Entry, heading: str) -> str:
    verdict = entry.verdict
    out = [f'<article><{heading}>{escape(entry.item)}: <span class="{verdict.status}">{_status(verdict)}</span>, '
           f"{score(entry.earned)} / {score(entry.points)}</{heading}>"]
    if entry.prompt:
        out.append(f'<div class="prompt">{escape(entry.prompt)}</div>')
    out.append("<dl>")
    out.append("<dt>Your answer</dt><dd>" + (_pre(entry.answer) if entry.answer else "(not answered)") + "</dd>")
    if entry.read_as:
        out.append(f"<dt>Read as</dt><dd>{escape(entry.read_as)}</dd>")
    flags = note(verdict)
    out.append(f"<dt>Feedback</dt><dd>{escape(verdict.feedback)}"
               + (f" <em>({escape(flags)})</em>" if flags else "") + "</dd>")
    if entry.evidence:
        out.append("<dt>Evidence</dt><dd><ul>" + "".join(f"<li>{escape(line)}</li>" for line in entry.evidence)
                   + "</ul></dd>")
    shown = (lambda text: f"<p>{escape(text)}</p>") if entry.prose else _pre
    if entry.key:
        out.append(f'<dt>{entry.key_label}</dt><dd class="key">{shown(entry.key)}</dd>')
    if entry.explanation:
        out.append(f"<dt>Explanation</dt><dd>{shown(entry.explanation)}</dd>")
    out.append("</dl>")
    if entry.yours:
        out.append('<div class="compare"><div><h4>Worked with your values</h4>'
                   f'{_pre(NL.join(entry.yours), "steps")}</div><div><h4>Worked with the right values</h4>'
                   f'{_pre(NL.join(entry.steps), "steps")}</div></div>')
    elif entry.steps:
        out.append(f'<h4>Worked solution</h4>{_pre(NL.join(entry.steps), "steps")}')
    out.append("</article>")
    return "\n".join(out)


def _status(verdict: Verdict) -> str:
    return f"{STATUS_MARK[verdict.status]} {verdict.status}"


def _pre(text: str, css: str = "") -> str:
    attribute = f' class="{css}"' if css else ""
    return f"<pre{attribute}>{escape(text)}</pre>"
