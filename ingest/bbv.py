"""BBV programme chapters (programmabegroting, jaarstukken) -> goals, efforts and money, from the structure.

A BBV chapter answers three questions: what we want to achieve (a vision and numbered goals),
what we do for it (results, numbered "1.1" or "1.1.01" — the number names the goal served), and
what it costs (a table of baten, lasten, saldo and reserves per year, usually "x € 1.000"). The
chapter starts at the programme heading just above its first question. Each link from an effort
to a goal records how it was made ("nummering"), so a weaker link can be told from an explicit one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from beleidsgraaf.ingest.records import BudgetRecord, EffortRecord, Evidence, GoalRecord, TableRecord
from beleidsgraaf.ingest.structure import SIMPLE_ITEM, Heading, Item, Structure, Table, is_title_like, join_lines
from beleidsgraaf.ingest.text import quote
from beleidsgraaf.textkey import norm

QUESTION_ORDER = {"goals": 0, "efforts": 1, "costs": 2}
DECIMAL_LABEL = re.compile(r"^\d{1,2}(?:\.\d{1,3}){1,2}\b")
HEADING_REACH = 12  # content lines above a chapter's first question in which its programme heading stands
AMOUNT_IN_TEXT = re.compile(r"€\s?(\d{1,3}(?:\.\d{3})+|\d+)(?:,(\d{1,2}))?(?:\s*(mln|miljoen|mld|miljard))?", re.I)


@dataclass
class Chapter:
    heading: int
    code: str | None  # "P1" as the document writes it, when it numbers its programmes
    name: str
    first: int
    last: int
    questions: list[Heading] = field(default_factory=list)

    @property
    def number(self) -> str | None:
        return re.sub(r"\D", "", self.code) if self.code else None

    def section(self, kind: str) -> tuple[int, int] | None:
        """The lines answering one question: from it to the next question of the chapter (or its end)."""
        for index, question in enumerate(self.questions):
            if question.question == kind:
                end = self.questions[index + 1].line - 1 if index + 1 < len(self.questions) else self.last
                return question.line, end
        return None


@dataclass
class ChapterRecords:
    goals: list[GoalRecord] = field(default_factory=list)
    efforts: list[EffortRecord] = field(default_factory=list)
    tables: list[TableRecord] = field(default_factory=list)
    budgets: list[BudgetRecord] = field(default_factory=list)


def chapters(structure: Structure) -> list[Chapter]:
    """The programme chapters of a BBV document, in order; empty when it has none.

    A chapter is a cycle of questions (goals, efforts, costs; a cycle may lack one) under a
    programme heading. The last one ends at a heading the profile names as the end of the
    programmes (paragrafen, financial statements), else at the end of the file.
    """
    bbv = structure.profile.get("bbv") or {}
    heading_re = re.compile(bbv.get("programme_heading", r"^$"))
    cycles: list[list[Heading]] = []
    for question in structure.questions:
        if not cycles or QUESTION_ORDER[question.question] <= QUESTION_ORDER[cycles[-1][-1].question]:
            cycles.append([question])
        else:
            cycles[-1].append(question)
    found: list[Chapter] = []
    floor = 1
    for cycle in cycles:
        if len({q.question for q in cycle}) < 2:
            continue  # one question alone is a mention, not a chapter
        heading = _programme_heading(structure, cycle[0].line, floor, heading_re)
        if heading is None:
            continue
        line, code, name = heading
        found.append(Chapter(line, code, name, line, len(structure.lines), cycle))
        floor = cycle[-1].line + 1
    for current, following in zip(found, found[1:], strict=False):
        current.last = following.first - 1
    if found:
        found[-1].last = _end_of_last(structure, found[-1], bbv.get("chapter_end", []))
    return found


def _programme_heading(structure: Structure, question_line: int, floor: int,
                       heading_re: re.Pattern[str]) -> tuple[int, str | None, str] | None:
    """The heading a chapter opens with: the nearest title-like line above its first question, preferring
    one that reads as a programme ('P1 Veiligheid', 'Programma 2: Wonen')."""
    above = structure.content(max(floor, question_line - 60), question_line - 1)[-HEADING_REACH:]
    not_goal = _patterns(structure, "not_goals")
    for number, text in reversed(above):
        if match := heading_re.match(text):
            code = f"P{match.group('code')}" if match.group("code") else None
            if text.startswith("Programma") and match.group("code"):
                code = f"Programma {match.group('code')}"
            return number, code, match.group("name").strip(" :–-")
    for number, text in reversed(above):
        if is_title_like(text) and not any(p.search(text) for p in not_goal):
            return number, None, text.strip(" :")
    return None


def _end_of_last(structure: Structure, chapter: Chapter, words: list[str]) -> int:
    end_re = re.compile(r"(?i)^\s*(?:" + "|".join(words) + ")") if words else None
    costs = chapter.section("costs")
    start = (costs or (chapter.questions[-1].line, 0))[0]
    if end_re is None:
        return len(structure.lines)
    for number, text in structure.content(start + 1, len(structure.lines)):
        if end_re.match(text) and is_title_like(text):
            return number - 1
    return len(structure.lines)


def _patterns(structure: Structure, key: str) -> list[re.Pattern[str]]:
    return [re.compile(rf"(?i)\b{w}", re.I) for w in (structure.profile.get("bbv") or {}).get(key, [])]


def _evidence(structure: Structure, first: int, last: int) -> Evidence:
    return Evidence(first, last, quote(" ".join(structure.lines[n - 1].strip() for n in range(first, last + 1))))


def extract_chapter(structure: Structure, chapter: Chapter) -> ChapterRecords:
    out = ChapterRecords()
    goals = _goals(structure, chapter, out)
    _efforts(structure, chapter, goals, out)
    _projects(structure, chapter, out)
    _money(structure, chapter, out)
    return out


def _goals(structure: Structure, chapter: Chapter, out: ChapterRecords) -> dict[str, GoalRecord]:
    section = chapter.section("goals")
    if section is None:
        return {}
    first, last = section
    vision = _patterns(structure, "vision")
    goal_list = _patterns(structure, "goal_list")
    not_goal = _patterns(structure, "not_goals")
    numbered: dict[str, GoalRecord] = {}
    rows = structure.content(first + 1, last)
    for index, (_line, text) in enumerate(rows):
        bare = text.strip(" :")
        if len(bare) <= 40 and any(p.fullmatch(bare) or p.match(bare) for p in vision) and index + 1 < len(rows):
            for start, end, label in _vision_blocks(structure, rows[index + 1:], goal_list + not_goal):
                out.goals.append(GoalRecord("visie", label, _evidence(structure, start, end), order=len(out.goals)))
    listed_under_heading = any(any(p.match(t.strip(" :")) for p in goal_list) and len(t) <= 40 for _, t in rows)
    for item in structure.items(first + 1, last):
        if item.style == "digit" or (item.style == "bullet" and listed_under_heading):
            if any(p.search(item.text) for p in not_goal):
                continue
            label = item.text.rstrip(" ;.")
            goal = GoalRecord("doel", label, _evidence(structure, item.first, item.last), number=item.number,
                              order=len(out.goals))
            out.goals.append(goal)
            if item.number:
                numbered.setdefault(item.number, goal)
    return numbered


def _vision_blocks(structure: Structure, rows: list[tuple[int, str]],
                   stops: list[re.Pattern[str]]) -> list[tuple[int, int, str]]:
    """The vision under its heading: each block of lines between blank lines is one statement, up to the
    goal list, a numbered item or another heading. A block that opens with a short heading of its own
    ("Passende zorg - focus op wat wel kan") is named by that heading."""
    blocks: list[list[tuple[int, str]]] = []
    previous = None
    for number, text in rows:
        bare = text.strip(" :")
        if (len(bare) <= 60 and any(p.match(bare) for p in stops)) or SIMPLE_ITEM.match(text) or DECIMAL_LABEL.match(text):
            break
        gap = previous is not None and any(not structure.lines[n - 1].strip() for n in range(previous + 1, number))
        if not blocks or gap:
            blocks.append([])
        blocks[-1].append((number, text))
        previous = number
    out = []
    for block in blocks:
        if len(block) > 1 and is_title_like(block[0][1]) and len(block[1][1]) > len(block[0][1]):
            out.append((block[0][0], block[-1][0], block[0][1].strip()))
        else:
            out.append((block[0][0], block[-1][0], join_lines([t for _, t in block])))
    return out


def _goal_number(item: Item, chapter: Chapter) -> str | None:
    """The goal a result serves: '2.3' serves goal 2; '1.2.01' in programme 1 serves goal 2 (the first
    number repeats the programme's)."""
    parts = item.parts
    if len(parts) == 3 and chapter.number and parts[0] == chapter.number:
        return parts[1]
    return parts[0] if parts else None


def _efforts(structure: Structure, chapter: Chapter, goals: dict[str, GoalRecord], out: ChapterRecords) -> None:
    section = chapter.section("efforts")
    if section is None:
        return
    first, last = section
    seen: set[str] = set()
    projects_from = _projects_heading(structure, first, last)
    items = structure.items(first + 1, last)
    for index, item in enumerate(items):
        # A result is numbered "2.3" (goal 2, result 3). One numbered "2." by its goal alone counts where that
        # number names a goal of the chapter and the item stands in the list of results, next to "2.3"-items.
        in_list = any(0 <= i < len(items) and items[i].style == "decimal" and abs(items[i].first - item.first) <= 4
                      for i in (index - 1, index + 1))
        if not item.number or not (item.style == "decimal" or (item.style == "digit" and item.number in goals and in_list)):
            continue
        key = item.number
        if key in seen:
            continue  # the explanation below the list repeats each result as its heading
        seen.add(key)
        goal = goals.get(_goal_number(item, chapter) or "")
        # A numbered item under the projects heading that names no goal ('2.99.01') is a project.
        kind = "project" if goal is None and projects_from is not None and item.first > projects_from else "inspanning"
        out.efforts.append(EffortRecord(
            item.text.rstrip(" ;."), kind, _evidence(structure, item.first, item.last), steering="programmasturing",
            owner=chapter.name, owner_kind="programma", goals=[goal] if goal else [], order=len(out.efforts),
            number=item.number, goal_link="nummering" if goal else None))


def _projects_heading(structure: Structure, first: int, last: int) -> int | None:
    projects = [re.compile(w, re.I) for w in (structure.profile.get("bbv") or {}).get("projects", [])]
    return next((n for n, t in structure.content(first, last)
                 if len(t) <= 60 and any(p.fullmatch(t.strip(" :")) for p in projects)), None)


def _projects(structure: Structure, chapter: Chapter, out: ChapterRecords) -> None:
    """Under a projects heading, each heading that opens a paragraph names a project, up to the next
    heading the profile says is no goal (verbonden partijen, indicatoren) or the costs question."""
    stop = _patterns(structure, "not_goals")
    end = (chapter.section("costs") or (chapter.last + 1, 0))[0] - 1
    start = _projects_heading(structure, chapter.first, end)
    if start is None:
        return
    for number, text in structure.content(start + 1, end):
        if is_title_like(text) and any(p.search(text) for p in stop):
            end = number - 1
            break
    known = {norm(e.label) for e in out.efforts}
    for number, text in structure.headings(start + 1, end):
        bare = text.strip(" :")
        if norm(bare) not in known and not DECIMAL_LABEL.match(bare):
            known.add(norm(bare))
            out.efforts.append(EffortRecord(bare, "project", _evidence(structure, number, number), steering="programmasturing",
                                            owner=chapter.name, owner_kind="programma", order=len(out.efforts)))


def _money(structure: Structure, chapter: Chapter, out: ChapterRecords) -> None:
    costs = chapter.section("costs")
    first, last = costs if costs else (chapter.first, chapter.last)
    programme = f"{chapter.code} {chapter.name}" if chapter.code else chapter.name
    for table in structure.tables(first, last):
        rows = [_budget(structure, table, row_index, column, programme)
                for row_index, row in enumerate(table.rows) for column in range(len(row.amounts))]
        records = [r for r in rows if r is not None]
        if records:
            caption = table.caption or f"Tabel {programme}"
            out.tables.append(TableRecord(caption, _evidence(structure, table.first, table.last), records))
            out.budgets.extend(records)


def _budget(structure: Structure, table: Table, row_index: int, column: int, programme: str) -> BudgetRecord | None:
    row = table.rows[row_index]
    if column >= len(table.columns):
        return None
    label = table.columns[column]
    purpose = f"{row.label}, {label} ({programme})"
    year = table.years[column] if column < len(table.years) else None
    return BudgetRecord(row.amounts[column], purpose, _evidence(structure, row.line, row.line), year=year,
                        holder=programme, is_total=bool(re.match(r"(?i)totaal\b", row.label)) and row.kind is None,
                        kind=row.kind, column=label)


def is_bbv(structure: Structure) -> bool:
    return bool(chapters(structure))


def programme_key(chapter: Chapter) -> str:
    return norm(f"{chapter.code or ''} {chapter.name}")


def affiliated_body_lines(structure: Structure, first: int, last: int) -> set[int]:
    """Heading lines of the sections on verbonden partijen (bodies in which the municipality holds a governing
    and a financial stake: BBV's paragraph and the programmes' own sections), where each body is introduced by its
    name as a heading. A section opens at a heading the profile names (``affiliated_bodies``) and closes at the
    next heading the profile knows for something else (a BBV question, goals, results, projects, the chapter end)."""
    bbv = structure.profile.get("bbv") or {}
    opens = _patterns(structure, "affiliated_bodies")
    if not opens:
        return set()
    others = [w for key in ("vision", "goal_list", "results", "projects", "not_goals", "chapter_end")
              for w in bbv.get(key, [])] + [w for words in (bbv.get("questions") or {}).values() for w in words]
    closes = [re.compile(rf"(?i)^(?:\d+(?:\.\d+)*\.?\s*)?(?:paragraaf\s+)?(?:{w})") for w in others]
    # A body's heading stands alone above its text; the section heading may stand right above the first body.
    standalone = {number for number, _ in structure.headings(first, last)}
    lines: set[int] = set()
    inside = False
    for number, text in structure.content(first, last):
        if not is_title_like(text):
            continue
        if any(p.search(text) for p in opens) and len(text.split()) <= 4:
            inside = True
        elif inside and any(p.match(text) for p in closes):
            inside = False
        elif inside and number in standalone:
            lines.add(number)
    return lines

