"""docs/indicators.md, written from the registry (``motcua indicators --docs FILE``)."""

from __future__ import annotations

from .registry import GROUPS, INDICATORS, NEEDS, RECORDED

POPULATIONS = """\
## Tập hồ sơ / Populations

- **Tiếp nhận và xử lý trong kỳ / handled** (2.1, 5.4): tiếp nhận trước cuối kỳ và chưa kết thúc
  trước đầu kỳ (nhận trong kỳ và chuyển từ kỳ trước) / received before the period's end and not
  ended before its start.
- **Tiếp nhận trong kỳ / received** (3.3): ngày tiếp nhận trong kỳ / received within the period.
- **Có kết quả trong kỳ / resolved** (2.2, 4.1, 4.2): có kết quả (giải quyết hoặc từ chối) trong
  kỳ / a result, granted or refused, within the period.

Cuối kỳ là 0 giờ ngày sau ngày “to” (giờ Hà Nội), hoặc thời điểm hiện tại nếu sớm hơn. / The
period ends at the midnight after its last day (Hà Nội time), or now if that is earlier.

## Đúng hạn (2.1) / On time

Ở cuối kỳ T / at the period's end T:

1. Yêu cầu bổ sung lần thứ hai trước T: trễ hạn. / A second supplement request before T: late.
2. Thời điểm kết thúc E: lúc kết thúc (đã xử lý xong, đã trả, dừng, từ chối, rút) nếu trước T;
   nếu đang chờ bổ sung ở T: lúc yêu cầu bổ sung; nếu chưa xong: T. / The end E: processed,
   returned, stopped, refused or withdrawn, if before T; waiting for a supplement at T: the
   request; unfinished: T.
3. Đúng hạn khi E − thời gian công dân bổ sung (nếu đã nộp bổ sung trước E) ≤ ngày hẹn trả ghi
   khi tiếp nhận; không có ngày hẹn: hạn tính theo thời hạn quy định từ lúc tiếp nhận; thủ tục
   không có thời hạn: không tính vào mẫu số. / On time when E minus the citizen's supplement time
   (if answered by E) is no later than the appointment given at reception; without one, the
   legal time limit counted from reception; a procedure without a time limit is not counted.

Ngày hẹn mới sau Phiếu xin lỗi không làm hồ sơ thành đúng hạn (phiếu xin lỗi là vì trễ hạn). /
The new date of an apology does not make a dossier on time (the apology is for being late).

1.4 đếm hồ sơ tiếp nhận trong kỳ mà Cổng DVCQG đã xác nhận bản ghi có ngày tiếp nhận (hộp thư
đi đồng bộ đã gửi xong sự kiện tiếp nhận; quyết định 0027). 3.3 nhân với tỷ lệ đồng bộ (1.4) khi
đồng bộ được bật; nếu không, giá trị chưa nhân và có ghi chú. / 1.4 counts the dossiers received
in the period whose record with its reception date the portal confirmed (the sync outbox
delivered the reception event; decision 0027). 3.3 is multiplied by the sync rate (1.4) while
sync is on; otherwise the value is not, and says so. 4.1 and 4.2 count the result files and input files
the dossier holds (any file the system keeps is electronic; inputs uploaded online or scanned at
the counter). / 4.1 and 4.2 count the dossier's stored result and input files.

4.3 đếm hồ sơ tiếp nhận trong kỳ có ít nhất một thành phần dùng lại dữ liệu đã có (kho dữ liệu
điện tử hoặc CSDL quốc gia), 4.4 hồ sơ có thành phần lấy từ kho dữ liệu điện tử của cá nhân, tổ
chức (người nộp đã đồng ý; quyết định 0030). / 4.3 counts the dossiers received in the period with
at least one component met by data already held (the personal store or a national registry), 4.4
those with a component taken from the personal store (with the applicant's consent; decision 0030).

Mẫu số bằng 0: N/A (null), không bao giờ là 0; hai chữ số thập phân. / A zero denominator is
N/A (null), never 0; two decimals.
"""


def indicators_markdown() -> str:
    lines = [
        "# Chỉ số Quyết định 766/QĐ-TTg / Decision 766 indicators",
        "",
        "<!-- Viết ra từ src/motcua/supervision/registry.py: `motcua indicators --docs "
        "docs/indicators.md`. Generated; do not edit. -->",
        "",
        "`motcua indicators --from YYYY-MM-DD --to YYYY-MM-DD [--unit CODE] [--procedure CODE] "
        "[--field CODE] [--channel CODE] [--format json|table]`; "
        "`GET /api/v1/indicators?from=&to=&unit=&procedure=&field=&channel=`.",
        "",
        "Điểm nhóm = điểm đạt của các chỉ số có giá trị (chỉ số N/A không có điểm, không suy "
        "diễn; `counted_max` cho biết điểm tối đa đã tính); tổng = cộng các nhóm có điểm. Chỉ số "
        "tỷ lệ đạt đủ điểm từ ngưỡng “đủ điểm từ”, dưới ngưỡng tính theo tỷ lệ. / A group's score "
        "is the points earned by its indicators that have a value (an N/A indicator earns none "
        "and is not extrapolated; `counted_max` says what the score is out of); the total adds "
        "the groups that have one. A rate earns all its points from its threshold, pro rata "
        "below. "
        "Cách chia điểm trong nhóm chưa tìm thấy văn bản [U]: chia đều. / The split of a group's "
        "points between its indicators is unconfirmed [U]: equal shares.",
        "",
    ]
    for group in GROUPS:
        lines += [f"## Nhóm {group.code}. {group.name_vi} / {group.name_en} ({group.max_points:g})", ""]  # fmt: skip
        lines += ["| Mã | Chỉ số / Indicator | Công thức / Formula | Điểm | Đủ điểm từ | Dữ liệu |",
                  "|---|---|---|---|---|---|"]  # fmt: skip
        for i in (i for i in INDICATORS if i.group == group.code):
            data = "có / recorded" if i.needs in RECORDED else "N/A: " + " / ".join(NEEDS[i.needs])
            if i.needs == "sync":
                data = (
                    "có từ khi hồ sơ đầu tiên được đồng bộ / recorded once a dossier was synced; "
                    + data
                )
            until = f"–{i.valid_until}" if i.valid_until else ""
            full = f"{i.full_at:g}%" if i.kind == "rate" and i.points else "—"
            lines.append(
                f"| {i.code} | {i.name_vi} / {i.name_en} (từ / from {i.valid_from}{until}) | "
                f"{i.formula_vi}. / {i.formula_en}. | {i.points:g} | {full} | {data} |"
            )
        lines.append("")
    lines += [POPULATIONS, "## Nguồn / Sources", ""]
    for source in sorted({i.source for i in INDICATORS}):
        lines.append(f"- {source}")
    return "\n".join(lines) + "\n"
