"""Typed models exchanged by the stages.

ingest  -> IngestedDocument (pages of positioned lines and tables, furniture set aside)
segment -> SegmentedDocument (nodes, roles, actions, scores with document-local codes)
merge   -> PlanResult (one plan, canonical codes)
store   -> DuckDB + CSV

Coordinates are PDF points with the origin at the top-left of the page (PyMuPDF's convention);
pages are 1-based everywhere. Text inputs have no bbox; they carry a 1-based line number instead.
"""

from __future__ import annotations

from enum import Enum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

SCHEMA_VERSION = "1"

BBox = tuple[float, float, float, float]

SLUG_PATTERN = r"^[a-z0-9-]+$"


class Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Actor(str, Enum):
    citizen = "市民"
    community = "地域"
    professional = "専門職"
    council = "社協"
    government = "行政"
    other = "other"  # a label that maps to none of the five: kept, with the label as printed


class Level(str, Enum):
    goal = "goal"
    policy = "policy"
    focus = "focus"


class ActionKind(str, Enum):
    action = "action"
    outcome = "outcome"
    focus_measure = "focus_measure"


class ScoreKind(str, Enum):
    midterm_evaluation = "midterm_evaluation"
    self_rating = "self_rating"


class Provenance(Model):
    doc_id: str
    page: int | None = None
    bbox: BBox | None = None
    line_no: int | None = None


# ---------------------------------------------------------------- ingest


class Line(Model):
    """One visual line of text (PDF) or one line of a text rendition."""

    text: str
    page: int
    bbox: BBox | None = None
    size: float | None = None
    line_no: int | None = None
    vertical: bool = False
    # Typography, read by ingest and used by segment's outline step as evidence of a heading.
    bold: bool = False  # a bold font, or glyphs overprinted to look bold (collapsed to one)
    color: int | None = None  # sRGB of the text, when it is not black
    boxed: bool = False  # a filled box or band is drawn behind the line
    # A table-of-contents entry ("タイトル……12"): the page number it points to, leaders removed.
    toc_page: int | None = None


class Cell(Model):
    row: int
    col: int
    row_span: int = 1
    col_span: int = 1
    bbox: BBox | None = None
    lines: list[Line] = Field(default_factory=list)


class Table(Model):
    page: int
    bbox: BBox | None = None
    n_rows: int
    n_cols: int
    cells: list[Cell]
    line_no: int | None = None


class Block(Model):
    """An item of a page in reading order: a line or a table."""

    kind: Literal["line", "table"]
    line: Line | None = None
    table: Table | None = None


class Page(Model):
    number: int
    width: float | None = None
    height: float | None = None
    blocks: list[Block] = Field(default_factory=list)
    furniture: list[Line] = Field(default_factory=list)
    # True when the text layer cannot be read (fonts without a Unicode map): its text is set aside.
    unreadable: bool = False


class DocumentInfo(Model):
    doc_id: str
    plan_slug: str
    path: str
    sha256: str
    format: Literal["pdf", "text"]
    kind: str = "other"
    n_pages: int
    title_hint: str | None = None  # a document property (PDF metadata title), not page text
    chars_total: int = 0  # characters of text ingest read (white space not counted)


class Bookmark(Model):
    """One entry of a PDF's outline (bookmarks, PyMuPDF's get_toc): the tree the file carries."""

    level: int  # 1 = top
    title: str
    page: int | None = None


class IngestedDocument(Model):
    info: DocumentInfo
    pages: list[Page]
    bookmarks: list[Bookmark] = Field(default_factory=list)
    problems: list["Problem"] = Field(default_factory=list)


# ---------------------------------------------------------------- segment


class NodeRecord(Model):
    """A node as one document states it. `local_code` follows the document's own order."""

    level: Level
    local_code: str
    label: str | None = None
    title: str = ""
    raw_title: str = ""
    description: str | None = None
    is_new: bool = False
    same_as_goal: int | None = None  # a focus item cross-referenced to a goal "(基本目標3 …)"
    unit: int = 0  # which part of the document (a table, a section) stated it
    prov: Provenance


class RoleRecord(Model):
    local_code: str
    unit: int = 0
    actor: Actor
    actor_label: str
    qualifier: str | None = None
    text: str
    raw_text: str
    marker: str | None = None
    prov: Provenance


class ActionRecord(Model):
    local_code: str
    unit: int = 0
    kind: ActionKind
    text: str
    raw_text: str
    prov: Provenance


class ScoreRecord(Model):
    local_code: str
    unit: int = 0
    kind: ScoreKind
    actor: Actor | None = None
    fiscal_year: int | None = None
    score: float
    scale: str = "1-5"
    prov: Provenance


class RatingRecord(Model):
    """A rating attributed to a department (課) inside a node's row: not a score of the node."""

    local_code: str
    unit: int = 0
    actor: Actor | None = None
    department: str | None = None
    score: float
    raw_text: str
    prov: Provenance


class Unassigned(Model):
    text: str
    reason: str
    prov: Provenance


class Problem(Model):
    doc_path: str
    stage: str
    severity: Literal["error", "warning"]
    message: str
    page: int | None = None


IngestedDocument.model_rebuild()


class PlanFacts(Model):
    """What a document says about its plan as a whole."""

    titles: list[str] = Field(default_factory=list)
    editions: list[int] = Field(default_factory=list)
    periods: list[tuple[int, int]] = Field(default_factory=list)
    visions: list[str] = Field(default_factory=list)
    other_visions: list[str] = Field(default_factory=list)  # under 将来像, スローガン …: used when no 基本理念
    slogans: list[str] = Field(default_factory=list)  # ～…～ on the cover, no label: used when nothing names one
    cities: list[str] = Field(default_factory=list)


class OutlineEntry(Model):
    """One heading of a document's outline, with the evidence it was taken on."""

    level: Level
    text: str  # the line as printed
    label: str | None = None  # the number as printed, with its level word: 柱２, （1）, 1-2
    word: str | None = None  # the level word printed before the number (目標, 施策の方向), if any
    style: str = ""  # numbering style: word|kind ("柱|arabic", "|paren"), "" for an unnumbered heading
    num: int | None = None
    goal_num: int | None = None  # the goal part of a composite number (1-2 → 1)
    title: str = ""
    page: int | None = None
    line_no: int | None = None
    evidence: list[str] = Field(default_factory=list)


class Outline(Model):
    """The tree a document prints, found before its items are read: which lines are headings and
    at which level. `styles` says which level each numbering style was given, and why."""

    entries: list[OutlineEntry] = Field(default_factory=list)
    styles: dict[str, str] = Field(default_factory=dict)


class Cursor(Model):
    """Where the attribution step stands while it reads a document: the node the next item belongs
    to and as what. One value, so that `inspect --explain` shows it beside every decision."""

    goal: int | None = None
    policy: str | None = None  # local code of the open policy
    focus: str | None = None  # local code of the open focus / embedded item
    section: str | None = None  # the open section's kind (action, roles, ignore …)
    list_context: str | None = None
    embedded: str | None = None  # an embedded plan's name (成年後見 …)
    role_actor: tuple[Actor, str] | None = None  # the actor whose items follow, and its printed label

    def describe(self) -> str:
        """goal 1 › policy 1.2 › roles of 市民 (市民の役割)."""
        parts = []
        if self.goal is not None:
            parts.append(f"goal {self.goal}")
        if self.policy:
            parts.append(f"policy {self.policy}")
        if self.focus:
            parts.append(f"focus {self.focus}")
        if self.section:
            actor = f" of {self.role_actor[0].value} ({self.role_actor[1]})" if self.role_actor and self.section == "roles" else ""
            parts.append(f"{self.section}{actor}")
        return " › ".join(parts) or "(no node open)"


class Decision(Model):
    """One step of `inspect --explain`: a paragraph or table, what each segment step made of it.
    outline: why it is a heading (evidence), blocks: what it was read as (rule), attribution: the
    node open when it came (under) and what it added (result); lost_at names the step that let
    its text go unplaced."""

    page: int | None
    line: int | None
    what: str  # paragraph, table RxC, document
    text: str = ""
    evidence: str = ""  # step 1, outline
    rule: str = ""  # step 2, blocks
    under: str = ""  # step 3, attribution: the cursor before it
    result: str = ""
    lost_at: str = ""


class SegmentedDocument(Model):
    info: DocumentInfo
    nodes: list[NodeRecord] = Field(default_factory=list)
    roles: list[RoleRecord] = Field(default_factory=list)
    actions: list[ActionRecord] = Field(default_factory=list)
    scores: list[ScoreRecord] = Field(default_factory=list)
    ratings: list[RatingRecord] = Field(default_factory=list)
    facts: PlanFacts = Field(default_factory=PlanFacts)
    unassigned: list[Unassigned] = Field(default_factory=list)
    problems: list[Problem] = Field(default_factory=list)
    outline: Outline = Field(default_factory=Outline)
    chars_assigned: int = 0  # characters that went into a row, the tree's structure, or unassigned


# ---------------------------------------------------------------- merge / store


class PlanMeta(Model):
    """Per-city metadata from corpus/<city>/plan.yaml: only what no document states."""

    # the plan's romaji slug (plan_id = <slug>-<edition>): lower-case letters, digits and hyphens,
    # so that a plan id is safe in a file name, a URL, SQL and HTML alike
    slug: str = Field(pattern=SLUG_PATTERN)
    city: str
    city_code: str
    prefecture: str | None = None
    edition: int | None = Field(None, ge=1, le=999)  # only as a fallback when no document states it


class PlanRow(Model):
    plan_id: str
    city: str
    city_code: str
    prefecture: str | None
    title: str | None
    edition: int | None
    period_start_fy: int | None
    period_end_fy: int | None
    vision: str | None


class DocumentRow(Model):
    doc_id: str
    plan_id: str
    path: str
    sha256: str
    kind: str
    format: str
    n_pages: int
    chars_total: int
    chars_assigned: int
    coverage: float
    chars_unassigned: int = 0  # of chars_assigned: the characters set aside in `unassigned`
    chars_furniture: int = 0  # of chars_assigned: the characters of page furniture
    extracted: float = 0.0  # share of the non-furniture characters that are in rows
    kept: float = 0.0  # share of the non-furniture characters in rows or in `unassigned`


class FurnitureRow(Model):
    plan_id: str
    doc_id: str
    page: int | None
    text: str


class NodeRow(Model):
    plan_id: str
    level: str
    code: str
    label: str | None
    title: str
    parent_code: str | None
    description: str | None
    is_new: bool
    doc_id: str
    page: int | None
    ref: str = ""  # node:<plan>:<code>, joins tokens and item_themes


class RoleRow(Model):
    plan_id: str
    policy_code: str
    actor: str
    actor_label: str
    qualifier: str | None
    seq: int
    text: str
    doc_id: str
    page: int | None
    ref: str = ""  # role:<plan>:<policy>:<actor>:<seq>
    # where restatements of this item in other sources were printed, merged into this row:
    # "doc_id:page;doc_id:page" (NULL when nothing was merged)
    merged_from: str | None = None


class ActionRow(Model):
    plan_id: str
    parent_code: str
    kind: str
    seq: int
    text: str
    doc_id: str
    page: int | None
    ref: str = ""  # action:<plan>:<parent>:<kind>:<seq>
    # where restatements of this item in other sources were printed, merged into this row:
    # "doc_id:page;doc_id:page" (NULL when nothing was merged)
    merged_from: str | None = None


class ScoreRow(Model):
    plan_id: str
    policy_code: str
    kind: str
    actor: str | None
    fiscal_year: int | None
    score: float
    scale: str
    doc_id: str
    page: int | None


class RatingRow(Model):
    plan_id: str
    policy_code: str
    actor: str | None
    department: str | None
    score: float
    raw_text: str
    doc_id: str
    page: int | None


class UnassignedRow(Model):
    plan_id: str
    doc_id: str
    page: int | None
    bbox: str | None
    text: str
    reason: str


class ProblemRow(Model):
    plan_id: str | None
    doc_path: str
    stage: str
    severity: str
    message: str
    page: int | None


class PlanResult(Model):
    plan: PlanRow
    documents: list[DocumentRow]
    nodes: list[NodeRow]
    roles: list[RoleRow]
    actions: list[ActionRow]
    scores: list[ScoreRow]
    ratings: list[RatingRow]
    unassigned: list[UnassignedRow]
    furniture: list[FurnitureRow]
    problems: list[ProblemRow]
    # Rows of the large tables (unassigned, furniture) go to the run's output files as soon as the
    # plan is merged; these counts stay.
    counts: dict[str, int] = Field(default_factory=dict)


class TokenRow(Model):
    plan_id: str
    ref: str
    position: int
    surface: str
    normalized_form: str
    dictionary_form: str
    pos: str


class ItemThemeRow(Model):
    plan_id: str
    ref: str
    theme: str
    keywords: str  # the keywords that matched, comma-separated
    themes_version: int
    dimension: str = "topic"  # topic (what the item is about) or approach (how it is done)
    rank: int = 1  # by evidence within the dimension; topic rank 1 = the item's main topic
    confidence: float | None = None  # topics: the calibration's (lexical.Calibration) probability that the tag is right


class ThemeRow(Model):
    theme: str
    keywords: str
    themes_version: int
    dimension: str = "topic"
    aliases: str = ""  # former names of the theme, comma-separated


class AlignmentRow(Model):
    plan_id: str
    policy_code: str
    other_plan_id: str
    other_policy_code: str
    rank: int
    score: float


class RunResult(Model):
    schema_version: str = SCHEMA_VERSION
    plans: list[PlanResult]
    problems: list[ProblemRow] = Field(default_factory=list)
    themes: list[ThemeRow] = Field(default_factory=list)
    # table → CSV file already written (tables too large to hold: tokens, item_themes,
    # unassigned, furniture); store moves them into place
    spooled: dict[str, str] = Field(default_factory=dict)
    seconds: float = 0.0
    # what the run did to the output beyond its tables, for the summary (policy_alignment kept or
    # emptied)
    notes: list[str] = Field(default_factory=list)
