"""Personal data is found and replaced; what only looks like it (orders, sizes …) is not."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from bot.errors import SettingsError
from bot.etiquette import EtiquetteChecker
from bot.settings import REDACTABLE_KINDS, Settings
from bot.transcripts.redaction import (
    Finding,
    Redactor,
    default_labels,
    id_check_character,
    load_labels,
    luhn_valid,
    normalised,
)

# (kind, line, the personal data in it): the line must come back with exactly that part
# replaced by the kind's label.
POSITIVE = [
    ("phone", "我的手机13812345678", "13812345678"),
    ("phone", "电话 138 1234 5678 谢谢", "138 1234 5678"),
    ("phone", "打+86 138-1234-5678就行", "+86 138-1234-5678"),
    ("phone", "联系0086 15912345678", "0086 15912345678"),
    ("phone", "(+86)18612345678", "(+86)18612345678"),
    ("phone", "8613912345678", "8613912345678"),
    ("phone", "手机号１９９１２３４５６７８，谢谢", "１９９１２３４５６７８"),
    ("phone", "家里（０１０）６２３４５６７８", "（０１０）６２３４５６７８"),
    ("phone", "座机0755 1234 5678", "0755 1234 5678"),
    ("phone", "电话：021-62345678-123", "021-62345678-123"),
    ("phone", "打010-12345678转8001找我", "010-12345678转8001"),
    ("phone", "公司0571-8765432", "0571-8765432"),
    ("phone", "快递员电话13812345678打不通", "13812345678"),
    ("id_card", "身份证11010519491231002X", "11010519491231002X"),
    ("id_card", "身份证号:11010519491231002x", "11010519491231002x"),
    ("id_card", "110105 19491231 002X 是我的", "110105 19491231 002X"),
    ("id_card", "44030419900307123X", "44030419900307123X"),
    ("id_card", "证件310104198506153216", "310104198506153216"),
    ("id_card", "330106199202294563（闰年生日）", "330106199202294563"),
    ("id_card", "报一下110101200001010010", "110101200001010010"),
    (
        "id_card",
        "身份证３７０２０２１９９９０９０９８８８９",
        "３７０２０２１９９９０９０９８８８９",
    ),
    ("id_card", "老身份证110105491231002", "110105491231002"),
    ("id_card", "号码是650102701031333呢", "650102701031333"),
    ("email", "邮箱abc.def@qq.com，谢谢", "abc.def@qq.com"),
    ("email", "123456789@qq.com", "123456789@qq.com"),
    ("email", "发到zhang_san@163.com吧", "zhang_san@163.com"),
    ("email", "li-si+shop@126.com", "li-si+shop@126.com"),
    ("email", "user@sina.com.cn 收", "user@sina.com.cn"),
    ("email", "foo@foxmail.com。", "foo@foxmail.com"),
    ("email", "邮箱：ＡＢＣ＠ｑｑ．ｃｏｍ", "ＡＢＣ＠ｑｑ．ｃｏｍ"),
    ("email", "Mail: John.Doe@Example.ORG", "John.Doe@Example.ORG"),
    ("email", "wang88@yeah.net谢谢", "wang88@yeah.net"),
    ("email", "（a1@b-c.co）", "a1@b-c.co"),
    ("bank_card", "卡号6222021234567890128", "6222021234567890128"),
    ("bank_card", "6222 0212 3456 7890 128", "6222 0212 3456 7890 128"),
    ("bank_card", "6217-0012-3456-7893", "6217-0012-3456-7893"),
    ("bank_card", "退到6217001234567893吧", "6217001234567893"),
    ("bank_card", "银行卡：6228480012345678903", "6228480012345678903"),
    ("bank_card", "退款到这张卡4367421234567896", "4367421234567896"),
    ("bank_card", "5187101234567899", "5187101234567899"),
    ("bank_card", "账号 6258071234567890121", "6258071234567890121"),
    ("bank_card", "6033671234567895", "6033671234567895"),
    ("bank_card", "9558801234567890128", "9558801234567890128"),
    ("bank_card", "卡号１２３４５６７８１２３４５６７０", "１２３４５６７８１２３４５６７０"),
    ("address", "浙江省杭州市西湖区文三路90号3栋2单元501室", "文三路90号3栋2单元501室"),
    ("address", "上海市银都路88弄3号", "银都路88弄3号"),
    ("address", "北京市朝阳区建国门外大街1号国贸大厦B座2001", "建国门外大街1号国贸大厦B座2001"),
    ("address", "寄到阳光花园3-2-501", "阳光花园3-2-501"),
    ("address", "四川省成都市双流区张家村3组15号", "张家村3组15号"),
    ("address", "我住5号楼1203，白天不在", "5号楼1203"),
    ("address", "深圳市南山区科技园南路5号", "科技园南路5号"),
    ("address", "上海南京路100号", "南京路100号"),
    ("address", "杭州文三路９０号", "文三路９０号"),
    ("address", "天津市和平区南京道2号", "南京道2号"),
    ("address", "改到幸福街道8号", "幸福街道8号"),
    ("address", "放在501室门口", "501室"),
    ("address", "广州市碧桂园24幢1730室", "碧桂园24幢1730室"),
    ("address", "台北市忠孝東路100號3樓", "忠孝東路100號3樓"),
]

# Lines that must come back untouched, grouped by the kind they could be mistaken for.
NEGATIVE = {
    "phone": [
        "订单202611150001",
        "顺丰SF1234567890123",
        "单号ZT7812345678",
        "订单号13812345678",
        "12345678901",
        "1381234567少一位",
        "138123456789",
        "客服热线400-820-8820",
        "商品ID：100000763728",
        "2026-11-15 18:02发货",
        "95533",
        "我165 110斤",
    ],
    "id_card": [
        "110105194912310021",  # wrong check digit
        "190105194912310024",  # no province 19
        "110105209901010012",  # born in 2099
        "110105194902300020",  # 30 February
        "11010519491231002",  # 17 digits
        "1101051949123100201",  # 19 digits
        "快递单号110105491231002",  # a 15-digit tracking number
        "110105491331002",  # month 13
        "身份证后四位002X",
        "20261115下单",
        "ID11010519491231002X9",
    ],
    "email": [
        "@所有人 在吗",
        "客服@小店",
        "jhh@",
        "a@b",
        "abc@qq",
        "user@localhost",
        "微信abc123",
        "QQ 12345678",
        "价格@299元",
        "abc@.com",
    ],
    "bank_card": [
        "6222021234567890127",  # fails Luhn
        "6222 0212 3456 7890 127",
        "订单号6217001234567893",
        "商品编号4367421234567896",
        "1234567812345670",  # passes Luhn, no card prefix, no card word
        "淘宝订单3125467890123456784",
        "6222-0212 3456 7890",
        "623456789012345",
        "¥299，满300减30",
        "顺丰SF6217001234567893",
    ],
    "address": [
        "11月15号下的单",
        "38码",
        "5号发货吗",
        "阳光小区5号发货吗",
        "第3单元的练习册",
        "帮我弄3号的",
        "7号电池有吗",
        "我不知道5号能到吗",
        "3层置物架",
        "北京市朝阳区",
        "送到朝阳区国贸大厦",
        "购物中心3楼有店吗",
        "2室1厅用多大的",
        "尺码M号，身高1.65米",
        "路由器2个",
    ],
}
NEGATIVE_LINES = [(kind, line) for kind, lines in NEGATIVE.items() for line in lines]


@pytest.fixture(scope="module")
def redactor() -> Redactor:
    return Redactor(REDACTABLE_KINDS)


def test_the_tables_cover_every_kind() -> None:
    for kind in REDACTABLE_KINDS:
        assert sum(case[0] == kind for case in POSITIVE) >= 10, kind
        assert len(NEGATIVE[kind]) >= 10, kind


@pytest.mark.parametrize(("kind", "line", "secret"), POSITIVE)
def test_personal_data_is_replaced_by_its_label(
    redactor: Redactor, kind: str, line: str, secret: str
) -> None:
    start = line.index(secret)
    assert redactor.findings(line) == [Finding(kind, start, start + len(secret))]
    assert redactor.redact(line) == line.replace(secret, default_labels()[kind])


@pytest.mark.parametrize(("kind", "line"), NEGATIVE_LINES)
def test_what_only_looks_like_personal_data_is_untouched(
    redactor: Redactor, kind: str, line: str
) -> None:
    assert redactor.findings(line) == []
    assert redactor.redact(line) is line


def test_order_ids_and_tracking_numbers_of_the_shop_are_untouched(
    redactor: Redactor, shop_data_dir: Path
) -> None:
    orders = yaml.safe_load((shop_data_dir / "orders.yml").read_text(encoding="utf-8"))["orders"]
    numbers = [order["id"] for order in orders] + [
        order["tracking_no"] for order in orders if order.get("tracking_no")
    ]
    assert len(numbers) >= 4
    for number in numbers:
        for line in (number, f"订单{number}", f"单号：{number}，到哪了", f"{number} 查一下"):
            assert redactor.redact(line) == line


def test_several_kinds_in_one_line_keep_the_text_between_them(redactor: Redactor) -> None:
    line = "您好，收件人电话13812345678，地址北京市朝阳区建国路88号3栋2单元501室，邮箱a@qq.com"
    assert redactor.redact(line) == (
        "您好，收件人电话【电话号码】，地址北京市朝阳区【详细地址】，邮箱【邮箱】"
    )


def test_offsets_point_into_the_original_text_when_normalising_changes_lengths(
    redactor: Redactor,
) -> None:
    line = "好的……㎏电话１３８１２３４５６７８，谢谢…"  # … and ㎏ grow under NFKC
    normal, origin = normalised(line)
    assert normal.startswith("好的......kg电话13812345678,")
    assert origin is not None and len(origin) == len(normal)
    [finding] = redactor.findings(line)
    assert line[finding.start : finding.end] == "１３８１２３４５６７８"
    assert redactor.redact(line) == "好的……㎏电话【电话号码】，谢谢…"


def test_redacting_twice_changes_nothing_more(redactor: Redactor) -> None:
    for _, line, _ in POSITIVE:
        once = redactor.redact(line)
        assert redactor.redact(once) == once


def test_only_the_chosen_kinds_are_redacted() -> None:
    line = "电话13812345678，邮箱a@qq.com，地址文三路90号"
    assert Redactor(["phone"]).redact(line) == "电话【电话号码】，邮箱a@qq.com，地址文三路90号"
    assert Redactor([]).redact(line) == line


def test_a_number_is_one_thing_even_when_its_kind_is_not_redacted() -> None:
    # The mobile number inside the e-mail address is part of the address: not a phone.
    assert Redactor(["phone"]).redact("13812345678@163.com") == "13812345678@163.com"
    assert Redactor(["email"]).redact("13812345678@163.com") == "【邮箱】"


def test_custom_labels_replace_the_default_ones() -> None:
    redactor = Redactor(["phone"], {"phone": "***"})
    assert redactor.redact("电话13812345678") == "电话***"


def test_from_settings_redacts_the_configured_kinds() -> None:
    settings = Settings.from_env({"REDACT_KINDS": "email, address"})
    redactor = Redactor.from_settings(settings)
    assert redactor.kinds == ("email", "address")
    assert redactor.redact("13812345678 a@qq.com") == "13812345678 【邮箱】"


def test_unknown_kinds_and_missing_or_digit_labels_are_refused() -> None:
    with pytest.raises(SettingsError, match="passport"):
        Redactor(["phone", "passport"])
    with pytest.raises(SettingsError, match="email"):
        Redactor(["phone", "email"], {"phone": "[电话]"})
    with pytest.raises(SettingsError, match="phone"):
        Redactor(["phone"], {"phone": "[电话1]"})


def test_the_labels_file_has_one_polite_label_per_kind() -> None:
    labels = load_labels()
    assert set(labels) == set(REDACTABLE_KINDS)
    checker = EtiquetteChecker.default()
    for label in labels.values():
        assert len(label) <= 8, label
        assert checker.check(f"好的，您发来的{label}已经收到了，谢谢您。") == [], label


@pytest.mark.parametrize(
    ("content", "complaint"),
    [
        ("phone: '[电话]'\n", "id_card"),
        ("[not, a, mapping]\n", "must map"),
        ("".join(f"{k}: '[x]'\n" for k in REDACTABLE_KINDS) + "qq: '[QQ]'\n", "qq"),
        ("".join(f"{k}: '[x{i}]'\n" for i, k in enumerate(REDACTABLE_KINDS)), "digits"),
        ("phone: [\n", "cannot read"),
    ],
)
def test_a_bad_labels_file_is_refused(tmp_path: Path, content: str, complaint: str) -> None:
    path = tmp_path / "redaction.yml"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(SettingsError, match=complaint):
        load_labels(path)


def test_a_missing_labels_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match="cannot read"):
        load_labels(tmp_path / "missing.yml")


def test_check_digits() -> None:
    assert id_check_character("11010519491231002") == "X"
    assert id_check_character("44030419900307123") == "X"
    assert id_check_character("31010419850615321") == "6"
    assert luhn_valid("4111111111111111")
    assert luhn_valid("6222021234567890128")
    assert not luhn_valid("6222021234567890127")
