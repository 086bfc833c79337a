"""Starting data the import cannot know: which procedures are common (and what the synonym
table was seeded with before decision 0023).

Popularity is an ordinary column afterwards, meant to be replaced by real dossier counts once
dossiers flow (supervision). What people call procedures lives in ``search_terms`` since
decision 0023; the admin's synonym table keeps only the administrators' own phrases.
"""

from __future__ import annotations

# The rows ``synonyms_seed`` wrote into the synonym table before decision 0023: (phrase,
# expansion, note). ``search_terms.PEOPLE_WORDS`` has them now; a row still equal to its seed
# is removed (``services.synonyms_retire_seeded``), a row an administrator changed stays.
SEEDED_SYNONYMS: list[tuple[str, str, str]] = [
    ("hộ khẩu", "đăng ký thường trú", "Sổ hộ khẩu bỏ từ 2023; người dân vẫn nói 'hộ khẩu'"),
    ("nhập hộ khẩu", "đăng ký thường trú", ""),
    ("nhập khẩu", "đăng ký thường trú", "nghĩa cư trú, không phải nhập khẩu hàng hóa"),
    ("chuyển hộ khẩu", "đăng ký thường trú", ""),
    ("cắt khẩu", "xóa đăng ký thường trú", ""),
    ("cắt hộ khẩu", "xóa đăng ký thường trú", ""),
    ("xóa hộ khẩu", "xóa đăng ký thường trú", ""),
    ("khai báo tạm trú", "đăng ký tạm trú", ""),
    ("tạm trú tạm vắng", "đăng ký tạm trú", ""),
    ("làm giấy khai sinh", "đăng ký khai sinh", ""),
    ("giấy khai sinh", "đăng ký khai sinh", ""),
    ("khai sinh cho con", "đăng ký khai sinh", ""),
    ("trích lục khai sinh", "cấp bản sao trích lục hộ tịch bản sao giấy khai sinh", ""),
    ("sao giấy khai sinh", "cấp bản sao trích lục hộ tịch bản sao giấy khai sinh", ""),
    ("báo tử", "đăng ký khai tử", ""),
    ("giấy chứng tử", "đăng ký khai tử", ""),
    ("làm giấy chứng tử", "đăng ký khai tử", ""),
    ("đăng ký kết hôn", "đăng ký kết hôn", ""),
    ("giấy đăng ký kết hôn", "đăng ký kết hôn", ""),
    ("xác nhận độc thân", "cấp giấy xác nhận tình trạng hôn nhân", ""),
    ("giấy độc thân", "cấp giấy xác nhận tình trạng hôn nhân", ""),
    (
        "công chứng giấy tờ",
        "chứng thực bản sao từ bản chính",
        "ở UBND xã là chứng thực, không phải công chứng",
    ),
    ("sao y", "chứng thực bản sao từ bản chính", ""),
    ("sao y bản chính", "chứng thực bản sao từ bản chính", ""),
    ("công chứng", "chứng thực bản sao từ bản chính", ""),
    ("chứng thực chữ ký", "chứng thực chữ ký trong các giấy tờ văn bản", ""),
    (
        "giấy phép kinh doanh",
        "đăng ký thành lập hộ kinh doanh",
        "hộ kinh doanh cá thể; doanh nghiệp dùng 'thành lập công ty'",
    ),
    ("đăng ký kinh doanh", "đăng ký thành lập hộ kinh doanh", ""),
    ("mở cửa hàng", "đăng ký thành lập hộ kinh doanh", ""),
    ("đăng ký hộ kinh doanh", "đăng ký thành lập hộ kinh doanh", ""),
    ("thành lập công ty", "đăng ký thành lập doanh nghiệp", ""),
    ("mở công ty", "đăng ký thành lập doanh nghiệp", ""),
    ("làm sổ đỏ", "đăng ký đất đai cấp giấy chứng nhận quyền sử dụng đất lần đầu", ""),
    ("sổ đỏ", "cấp giấy chứng nhận quyền sử dụng đất", ""),
    ("sổ hồng", "cấp giấy chứng nhận quyền sử dụng đất quyền sở hữu tài sản gắn liền với đất", ""),
    ("sang tên sổ đỏ", "đăng ký biến động quyền sử dụng đất chuyển nhượng", ""),
    ("xin phép xây nhà", "cấp giấy phép xây dựng mới nhà ở riêng lẻ", ""),
    ("xây nhà", "cấp giấy phép xây dựng mới nhà ở riêng lẻ", ""),
    ("giấy phép xây nhà", "cấp giấy phép xây dựng mới nhà ở riêng lẻ", ""),
    ("sửa nhà", "cấp giấy phép xây dựng sửa chữa cải tạo nhà ở riêng lẻ", ""),
    ("lý lịch tư pháp", "cấp phiếu lý lịch tư pháp cho công dân việt nam", ""),
    ("làm lý lịch tư pháp", "cấp phiếu lý lịch tư pháp cho công dân việt nam", ""),
    ("làm căn cước", "cấp thẻ căn cước", ""),
    ("làm cccd", "cấp thẻ căn cước", ""),
    ("cccd", "thẻ căn cước", ""),
    ("chứng minh thư", "thẻ căn cước", ""),
    ("làm hộ chiếu", "cấp hộ chiếu phổ thông", ""),
    ("bằng lái xe", "giấy phép lái xe", ""),
    ("đổi bằng lái", "đổi giấy phép lái xe", ""),
    ("bhyt", "bảo hiểm y tế", ""),
    ("thẻ bảo hiểm y tế cho trẻ", "cấp thẻ bảo hiểm y tế", ""),
    ("bhxh", "bảo hiểm xã hội", ""),
    ("tiền mai táng", "hỗ trợ chi phí mai táng", ""),
    ("trợ cấp mai táng", "hỗ trợ chi phí mai táng", ""),
    ("mai táng phí", "hỗ trợ chi phí mai táng", ""),
]

# How common a procedure is (0–100), until real dossier counts replace it. Sources: the
# article's bundles and the procedures Hà Nội lists among its essential online services.
POPULARITY: dict[str, int] = {
    "1.001193": 100, "2.000815": 95, "1.004222": 95, "1.004194": 90, "2.000635": 85,
    "1.004873": 85, "1.000894": 80, "2.000884": 80, "1.001612": 75, "3.000333": 75,
    "1.000656": 70, "1.013225": 70, "1.003197": 65, "1.013978": 65, "2.000908": 50,
    "2.001610": 50, "1.014061": 60, "1.014062": 25, "1.014063": 55, "3.000346": 50,
    "3.000348": 45, "1.014137": 45, "1.001731": 40, "1.014028": 35, "2.000986": 60,
    "2.001023": 40, "1.013229": 45, "2.000575": 40, "1.004746": 30, "2.000806": 35,
}  # fmt: skip
