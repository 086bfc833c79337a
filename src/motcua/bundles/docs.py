"""``docs/bundles.md``: the bundle definitions as a reference page, generated from the same file
the kernel and the API read (a test fails when the committed page drifts from it)."""

from __future__ import annotations

from .definitions import Definition, LimitSpec, definitions


def limit_words(limit: LimitSpec | None) -> str:
    return limit.words() if limit is not None else "—"


def agency_words(agency: str) -> str:
    names = {
        "receiving_ward": "UBND phường, xã tiếp nhận / the receiving ward",
        "ward_police": "Công an phường, xã đó / that ward's police",
    }
    return names.get(agency, f"`{agency.removeprefix('unit:')}`")


def members_table(definition: Definition) -> list[str]:
    lines = [
        "| # | dịch vụ / service | thủ tục / procedure | cơ quan / agency | sau / after | "
        "thời hạn / limit | có xác minh / with verification | kết quả / result | CSDL / registry |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for order, member in enumerate(definition.members, 1):
        rows = [member.resolved(v) for v in member.variant_names()] or [member.resolved()]
        for row in rows:
            variant = f" ({row.variant})" if row.variant else ""
            lines.append(
                f"| {order} | `{member.service}`{variant} — {member.name} / {member.name_en} | "
                f"{row.procedure} | {agency_words(row.agency)} | {member.after or '—'} | "
                f"{limit_words(row.limit)} | {limit_words(row.with_verification)} | "
                f"{member.result or '—'} | {f'`{row.registry}`' if row.registry else '—'} |"
            )
    return lines


def definition_markdown(definition: Definition) -> list[str]:
    lines = [
        f"## {definition.name}",
        "",
        f"*{definition.name_en}* — `kind: {definition.kind}`, phiên bản / version "
        f"`{definition.version}`, áp dụng / in force {definition.valid_from:%d/%m/%Y} – "
        f"{definition.valid_until.strftime('%d/%m/%Y') if definition.valid_until else '…'}; "
        f"căn cứ / legal basis: {', '.join(definition.legal_basis)}.",
        "",
        definition.note.strip(),
        "",
        "**Chọn dịch vụ / choosing**: luôn có / always "
        + ", ".join(f"`{s}`" for s in definition.choose.required)
        + (
            "; ít nhất một trong / at least one of "
            + ", ".join(f"`{s}`" for s in definition.choose.one_of)
            if definition.choose.one_of
            else ""
        )
        + ".",
        "",
        "**Thời hạn cả nhóm / whole bundle** (kể từ khi tiếp nhận / from reception"
        + ("; sau giờ chốt 15:00 tính từ ngày làm việc tiếp theo / after the 15:00 cut-off from "
           "the next working day" if definition.after_cutoff_next_working_day else "")
        + "):",
        "",
    ]  # fmt: skip
    for rule in definition.limits:
        when = ", ".join(f"`{t}`" for t in rule.when) or "các trường hợp khác / otherwise"
        verification = (
            f" ({limit_words(rule.with_verification)} nếu phải xác minh / with verification)"
            if rule.with_verification
            else ""
        )
        note = f" — {rule.note}" if rule.note else ""
        lines.append(f"- {when}: {limit_words(rule.limit)}{verification}{note}")
    if definition.acknowledge_within is not None:
        lines += ["", f"**Phản hồi tiếp nhận / acknowledgement**: mỗi cơ quan nhận hồ sơ điện tử trong "
                  f"{limit_words(definition.acknowledge_within)}, quá hạn thì cảnh báo hai cơ quan và Trung "
                  "tâm / each agency within that time, else both agencies and the Center are alerted."]  # fmt: skip
    lines += ["", "**Thủ tục thành phần / members** (thời hạn kể từ khi cơ quan nhận hồ sơ điện tử / "
              "limits from the moment the agency gets the e-dossier):", "", *members_table(definition), ""]  # fmt: skip
    for member in definition.members:
        notes = [member.note.strip(), *(v.note.strip() for v in member.variants)]
        requires = (
            f" Chỉ chọn cùng / only with {', '.join(member.requires)}." if member.requires else ""
        )
        if member.age is not None:
            requires += (
                f" Chỉ cho người dưới {member.age.under_years} tuổi vào ngày nộp / only for a "
                f"person under {member.age.under_years} on the day of submission "
                f"(`{member.age.field}`)."
            )
        if any(notes) or requires:
            lines.append(f"- `{member.service}`: {' '.join(n for n in notes if n)}{requires}")
    lines += ["", "**Thông tin khai một lần / subject** (`subject` trong API):", "",
              "| trường / field | nội dung / label | kiểu / kind | bắt buộc / required |",
              "|---|---|---|---|"]  # fmt: skip
    for item in definition.subject:
        required = (
            "có / yes"
            if item.required
            else ("khi chọn / with " + ", ".join(item.required_for) if item.required_for else "—")
        )
        kind = item.kind + (f" ({', '.join(item.choices)})" if item.choices else "")
        lines.append(f"| `{item.name}` | {item.label} / {item.label_en} | {kind} | {required} |")
    return [*lines, ""]


def definitions_markdown() -> str:
    file = definitions()
    lines = [
        "# Nhóm thủ tục liên thông / Linked bundles",
        "",
        "Sinh tự động từ `data/bundles.yaml` (`motcua bundles --write docs/bundles.md`); nhân hệ "
        "thống, API `/api/v1/bundles` và trang này đọc cùng một tệp. / Generated from "
        "`data/bundles.yaml`; the kernel, the API and this page read the same file "
        "(docs/decisions/0025).",
        "",
    ]
    for definition in sorted(file.bundles, key=lambda d: (d.kind, d.valid_from)):
        lines += definition_markdown(definition)
    lines += ["## Nguồn / sources", ""]
    lines += [f"- `{key}`: {text}" for key, text in sorted(file.sources.items())]
    return "\n".join(lines).rstrip() + "\n"
