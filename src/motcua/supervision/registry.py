"""The Decision 766/QĐ-TTg indicators: the one list that the computation, the command, the API and
``docs/indicators.md`` read (code, names, formula, source, points, in force from/until).

Effective-dated: a period is computed with the entries in force on its last day, so that a later
change of a formula or of the points is a new entry with its own ``valid_from``, and an earlier
period keeps the rules it had. The group maxima are [S] (DOMAIN.md §3); the split of a group's
points between its indicators is not published in any text we found and is [U]: equal shares,
kept here so that a confirmed split is one edit.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from motcua.sync.selectors import sync_recorded

DECISION_766 = "Quyết định 766/QĐ-TTg ngày 23/6/2022 của Thủ tướng Chính phủ"
FORMULA_DOC = "Mô tả công thức tính chỉ số 766 (Cổng DVCQG) [S]"
IN_FORCE_FROM = datetime.date(2022, 6, 23)


@dataclass(frozen=True)
class Group:
    code: str
    name_vi: str
    name_en: str
    max_points: float


@dataclass(frozen=True)
class Indicator:
    """One indicator. ``kind``: ``rate`` (a percentage) or ``average`` (days). ``full_at``: the
    value from which it earns all its points (below: pro rata). ``needs``: the data it is
    computed from; while the system does not record that data, the indicator is N/A."""

    code: str
    group: str
    name_vi: str
    name_en: str
    formula_vi: str
    formula_en: str
    points: float
    needs: str
    kind: str = "rate"
    full_at: float = 100.0
    source: str = f"{DECISION_766}; {FORMULA_DOC}"
    valid_from: datetime.date = IN_FORCE_FROM
    valid_until: datetime.date | None = None

    def in_force(self, day: datetime.date) -> bool:
        return self.valid_from <= day and (self.valid_until is None or day <= self.valid_until)


GROUPS = [
    Group("1", "Công khai, minh bạch", "Publicity and transparency", 18),
    Group("2", "Tiến độ, kết quả giải quyết", "Timeliness and results", 20),
    Group("3", "Cung cấp dịch vụ trực tuyến", "Online services (12) and online payment (10)", 22),
    Group("4", "Số hóa hồ sơ", "Digitisation of dossiers", 22),
    Group("5", "Mức độ hài lòng", "Satisfaction", 18),
]

# What each kind of data is, and why an indicator that needs it is N/A while it is not recorded.
# A later feature that records it adds its name to ``RECORDED`` (and the computation). The sync
# outbox records "sync" once sync to the portal has been on (decision 0027).
NEEDS = {
    "dossiers": ("", ""),
    "documents": ("", ""),
    "ratings": ("", ""),
    "sync": (
        "Hệ thống chưa đồng bộ hồ sơ nào lên Cổng DVCQG.",
        "No dossier has been synchronised with the national portal yet.",
    ),
    "payment": (
        "Hệ thống chưa ghi nhận kênh thanh toán trực tuyến (DuocThanhToanTrucTuyen).",
        "The system does not record the online-payment channel yet.",
    ),
    "reuse": (
        "Hệ thống chưa ghi nhận thành phần hồ sơ được tái sử dụng (DuocSoHoa).",
        "The system does not record reused dossier components yet.",
    ),
    "vault": (
        "Hệ thống chưa ghi nhận thành phần lấy từ Kho quản lý dữ liệu điện tử (DuocLayTuKhoDMQG).",
        "The system does not record components taken from the personal data store yet.",
    ),
    "population": (
        "Hệ thống chưa ghi nhận việc xác thực VNeID hay khai thác CSDL quốc gia về dân cư.",
        "The system does not record VNeID authentication or population-database use yet.",
    ),
    "publication": (
        "Chỉ số về công bố, công khai thủ tục tính trên CSDL quốc gia về TTHC, không từ hồ sơ.",
        "Publication indicators are computed on the national procedure database, not dossiers.",
    ),
    "coverage": (
        "Chỉ số theo danh mục thủ tục (tỷ lệ DVCTT, tích hợp thanh toán) chưa được tính.",
        "Catalogue indicators (online-service and payment coverage) are not computed yet.",
    ),
    "feedback": (
        "Hệ thống chưa tiếp nhận phản ánh, kiến nghị (PAKN).",
        "The system does not handle citizen feedback (PAKN) yet.",
    ),
}
RECORDED = frozenset({"dossiers", "documents", "ratings", "feedback", "reuse", "vault", "payment"})

INDICATORS = [
    Indicator(
        "1.1", "1", "Công bố, công khai TTHC đúng hạn", "Procedures published on time",
        "Số TTHC công bố đúng hạn / Tổng số TTHC phải công bố",
        "Procedures published on time / procedures to publish", 4.5, "publication",
    ),
    Indicator(
        "1.2", "1", "Cập nhật TTHC lên CSDL quốc gia đúng hạn",
        "Procedures entered in the national database on time",
        "Số TTHC cập nhật ≤ 5 ngày làm việc sau quyết định công bố / Tổng số TTHC đã công bố",
        "Procedures entered ≤ 5 working days after publication / procedures published",
        4.5, "publication",
    ),
    Indicator(
        "1.3", "1", "TTHC công khai đầy đủ thành phần", "Procedures published in full",
        "Số TTHC công khai đầy đủ các bộ phận / Tổng số TTHC",
        "Procedures with every part published / procedures", 4.5, "publication",
    ),
    Indicator(
        "1.4", "1", "Tỷ lệ đồng bộ hồ sơ lên Cổng DVCQG", "Dossiers synchronised with the portal",
        "Số hồ sơ đồng bộ có ngày tiếp nhận trong kỳ / Số hồ sơ tiếp nhận trong kỳ",
        "Dossiers synchronised, received in the period / dossiers received in the period",
        4.5, "sync",
    ),
    Indicator(
        "2.1", "2", "Tỷ lệ hồ sơ giải quyết đúng hạn", "Dossiers processed on time",
        "Số hồ sơ đã và đang xử lý trong hạn / Số hồ sơ tiếp nhận và xử lý trong kỳ; đúng hạn "
        "khi thời điểm kết thúc (đã xử lý xong, đã trả, dừng, từ chối, rút; đang chờ bổ sung: "
        "lúc yêu cầu; chưa xong: cuối kỳ) trừ thời gian công dân bổ sung ≤ ngày hẹn trả; yêu cầu "
        "bổ sung quá một lần: trễ hạn; không có ngày hẹn: so với thời hạn theo quy định",
        "Dossiers finished or in progress within their deadline / dossiers received and handled "
        "in the period; on time when the end (processed, returned, stopped, refused, withdrawn; "
        "waiting for a supplement: the request; unfinished: the period's end) minus the citizen's "
        "supplement time is no later than the appointment; more than one supplement request: "
        "late; no appointment: against the legal time limit",
        20, "dossiers",
    ),
    Indicator(
        "2.2", "2", "Thời gian giải quyết trung bình", "Average resolution time",
        "Tổng thời gian giải quyết (từ tiếp nhận đến khi có kết quả, trừ thời gian bổ sung) / "
        "Số hồ sơ có kết quả trong kỳ (ngày)",
        "Total time from reception to result, less supplement time / dossiers with a result in "
        "the period (days)",
        0, "dossiers", kind="average",
    ),
    Indicator(
        "3.1", "3", "Tỷ lệ TTHC cung cấp DVCTT toàn trình", "Procedures offered fully online",
        "Số TTHC có DVCTT toàn trình / Số TTHC đủ điều kiện",
        "Procedures fully online / eligible procedures", 4, "coverage", full_at=80,
    ),
    Indicator(
        "3.2", "3", "Tỷ lệ DVCTT có phát sinh hồ sơ trực tuyến", "Online services used online",
        "Số DVCTT có hồ sơ trực tuyến / Số DVCTT", "Online services with online dossiers / online "
        "services", 4, "coverage",
    ),
    Indicator(
        "3.3", "3", "Tỷ lệ hồ sơ nộp trực tuyến", "Dossiers submitted online",
        "Số hồ sơ nộp trực tuyến / Số hồ sơ tiếp nhận trong kỳ × tỷ lệ đồng bộ",
        "Dossiers submitted online / dossiers received in the period × sync rate",
        4, "dossiers", full_at=50,
    ),
    Indicator(
        "3.5", "3", "Tỷ lệ TTHC có phí tích hợp thanh toán trực tuyến",
        "Fee-bearing procedures with online payment",
        "Số TTHC có phí đã tích hợp thanh toán trực tuyến / Số TTHC có phí",
        "Fee-bearing procedures integrated with online payment / fee-bearing procedures",
        5, "coverage", full_at=80,
    ),
    Indicator(
        "3.6", "3", "Tỷ lệ hồ sơ thanh toán trực tuyến", "Dossiers paid online",
        "Số hồ sơ thanh toán trực tuyến (Cổng DVCQG hoặc cổng địa phương) / Số hồ sơ có phí",
        "Dossiers paid online (national or local gateway) / fee-bearing dossiers", 5, "payment",
    ),
    Indicator(
        "4.1", "4", "Tỷ lệ hồ sơ cấp kết quả điện tử", "Dossiers with an electronic result",
        "Số hồ sơ có tệp kết quả điện tử / Số hồ sơ có kết quả trong kỳ",
        "Dossiers with an electronic result file / dossiers with a result in the period",
        4.4, "documents",
    ),
    Indicator(
        "4.2", "4", "Tỷ lệ số hóa hồ sơ", "Dossiers digitised",
        "Số hồ sơ có thành phần đã số hóa và kết quả điện tử / Số hồ sơ có kết quả trong kỳ",
        "Dossiers with digitised inputs and an electronic result / dossiers with a result in the "
        "period", 4.4, "documents", full_at=80,
    ),
    Indicator(
        "4.3", "4", "Tỷ lệ khai thác, sử dụng lại dữ liệu số hóa", "Reuse of digitised data",
        "Số hồ sơ có thành phần được tái sử dụng / Số hồ sơ tiếp nhận trong kỳ",
        "Dossiers with a reused component / dossiers received in the period",
        4.4, "reuse", full_at=80,
    ),
    Indicator(
        "4.4", "4", "Tỷ lệ hồ sơ sử dụng dữ liệu từ Kho cá nhân", "Data from the personal store",
        "Số hồ sơ có thành phần lấy từ Kho quản lý dữ liệu điện tử / Số hồ sơ tiếp nhận trong kỳ",
        "Dossiers with a component from the personal store / dossiers received in the period",
        4.4, "vault",
    ),
    Indicator(
        "4.5", "4", "Tỷ lệ hồ sơ sử dụng dữ liệu dân cư", "Use of population data",
        "Số hồ sơ xác thực VNeID hoặc khai thác CSDL dân cư / Số hồ sơ tiếp nhận trong kỳ",
        "Dossiers with VNeID authentication or population data / dossiers received in the period",
        4.4, "population",
    ),
    # 5.1–5.3: DOMAIN.md §3 ("PAKN (reject ≤2 wd, supplement ≤5 wd, answer ≤15 wd, publish
    # ≤2 wd)"), counted from the feedback app (motcua.feedback; docs/decisions/0029).
    Indicator(
        "5.1", "5", "Từ chối PAKN đúng hạn", "Feedback refused on time",
        "Số PAKN từ chối trong kỳ, có lý do, ≤ 2 ngày làm việc từ khi tiếp nhận / Số PAKN bị "
        "từ chối trong kỳ",
        "Feedback refused in the period, with a reason, within 2 working days of reception / "
        "feedback refused in the period", 4.5, "feedback",
    ),
    Indicator(
        "5.2", "5", "Xử lý PAKN đúng hạn", "Feedback answered on time",
        "Số PAKN trả lời ≤ 15 ngày làm việc (thời gian người gửi bổ sung không tính; đề nghị bổ "
        "sung ≤ 5 ngày làm việc) / Số PAKN tiếp nhận, không bị từ chối, chưa trả lời trước kỳ; "
        "chưa trả lời: xét tại cuối kỳ",
        "Feedback answered within 15 working days (the sender's time off; more information "
        "asked within 5) / feedback received, not refused, not answered before the period; "
        "unanswered: judged at the period's end",
        4.5, "feedback",
    ),
    Indicator(
        "5.3", "5", "Công khai kết quả PAKN đúng hạn", "Feedback answers published on time",
        "Số PAKN công khai ≤ 2 ngày làm việc sau khi trả lời / Số PAKN đã trả lời, chưa công "
        "khai trước kỳ; chưa công khai: xét tại cuối kỳ",
        "Answers published within 2 working days of answering / feedback answered, not "
        "published before the period; unpublished: judged at the period's end",
        4.5, "feedback",
    ),
    Indicator(
        "5.4", "5", "Mức độ hài lòng", "Satisfaction",
        "100% − (tỷ lệ hồ sơ trễ hạn + tỷ lệ hồ sơ có phản ánh, đánh giá không hài lòng)",
        "100% − (late dossiers % + dossiers rated unsatisfied or complained about %)",
        4.5, "ratings", full_at=90,
    ),
]  # fmt: skip


def indicators_in_force(day: datetime.date) -> list[Indicator]:
    """The entries in force on ``day``, one per code, in the order of the list."""
    return [indicator for indicator in INDICATORS if indicator.in_force(day)]


def na_reason(indicator: Indicator) -> tuple[str, str] | None:
    """(vi, en) why the indicator cannot be computed from what the system records, else None."""
    if indicator.needs in RECORDED or (indicator.needs == "sync" and sync_recorded()):
        return None
    return NEEDS[indicator.needs]
