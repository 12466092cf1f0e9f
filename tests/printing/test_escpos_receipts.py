"""Receipts as ESC/POS bytes (python-escpos's Dummy and File printers), read back."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest

from merchant_pos.domain import CartLine
from merchant_pos.printing.build import receipt_content, void_content
from merchant_pos.printing.config import PrinterConfig
from merchant_pos.printing.layout import layout_receipt, text_width
from merchant_pos.printing.spooler import job_bytes
from merchant_pos.printing.targets import Target, send
from merchant_pos.store.models import RedemptionRow, RedemptionStatus
from tests.printing.escpos_parse import parse
from tests.store.conftest import Counter
from tests.support.codes import claims, make_code

CART = [CartLine("formula", 6000), CartLine("diaper", 1000, 2)]


def _redeem(shop: Counter, code: str | None = None) -> str:
    rid = str(uuid.uuid4())
    shop.service.redeem(rid, code or make_code(shop.key), CART, shop.cashier)
    return rid


@pytest.mark.parametrize("width_mm, columns", [(58, 32), (80, 48)])
def test_every_field_of_the_receipt_is_on_the_roll_in_gbk(shop: Counter, width_mm: int,
                                                          columns: int) -> None:
    rid = _redeem(shop)
    content = receipt_content(shop.ledger, rid)
    data = job_bytes(content, PrinterConfig(width_mm=width_mm, drawer_kick=True))
    roll = parse(data)  # strict: every text byte sequence decodes as GBK
    text = roll.text
    for expected in ("好孩子母婴店", "补助兑换凭条", "单号", "03-000001", "机号", "03",
                     "2026-02-10 11:00", "收银员", "李收银", "受助人", "马*花 B-*****0001",
                     "项目", "母婴补贴", "奶粉 ×1", "纸尿裤 ×2", "补助", "￥60.00", "￥10.00",
                     "合计", "￥70.00", "补助支付", "顾客自付", "￥0.00", "本次后剩余",
                     "最早到期", "2026-03-12", "待上传"):
        assert expected in text, expected
    # Four single-use 50-yuan vouchers; the 70 yuan cart opened two: two left at 50, two at 0.
    remaining = [ln for ln in roll.lines if "共计" in ln]
    assert len(remaining) == 4
    assert sorted(ln.split()[-1] for ln in remaining) == ["￥0.00", "￥0.00", "￥50.00",
                                                          "￥50.00"]
    assert "¥" not in text  # the half-width yen has no GBK code
    assert roll.qr == ["03-000001"]
    assert roll.cuts == 1 and roll.drawer_kicks == 1
    assert roll.chinese_mode_entered == 1 and roll.chinese_mode_left == 1
    assert roll.images == 0
    assert max(text_width(ln) for ln in roll.lines) <= columns


def test_accepted_receipt_drops_the_upload_note_and_a_reprint_says_copy(shop: Counter) -> None:
    rid = _redeem(shop)
    with shop.ledger.write() as session:
        row = session.get(RedemptionRow, rid)
        assert row is not None
        row.status = RedemptionStatus.ACCEPTED.value
    roll = parse(job_bytes(receipt_content(shop.ledger, rid, copy=True),
                           PrinterConfig(drawer_kick=True)))
    assert "待上传" not in roll.text
    assert roll.lines.count("重印 COPY") + sum("重印 COPY" in ln for ln in roll.lines) >= 2
    assert roll.drawer_kicks == 0  # a copy never opens the drawer


def test_a_name_outside_gbk_is_printed_as_an_image(shop: Counter) -> None:
    code = make_code(shop.key, claims(nm="王𠮷花"))
    rid = _redeem(shop, code)
    roll = parse(job_bytes(receipt_content(shop.ledger, rid), PrinterConfig()))
    assert roll.images == 1
    assert "王𠮷花" not in roll.text and "受助人" not in roll.text  # that line is the image
    assert "母婴补贴" in roll.text


def test_void_slip(shop: Counter) -> None:
    rid = _redeem(shop)
    shop.clock.advance(600)
    shop.service.void(rid, void_id=str(uuid.uuid4()), supervisor_name="王主管",
                      supervisor_pin="9999", reason="顾客退货")
    roll = parse(job_bytes(void_content(shop.ledger, rid), PrinterConfig(drawer_kick=True)))
    for expected in ("撤销凭条", "撤销单号", "03-000001", "撤销时间", "2026-02-10 11:10",
                     "主管", "王主管", "退回补助", "￥70.00", "原因", "顾客退货", "原凭条作废。"):
        assert expected in roll.text, expected
    assert "待上传" not in roll.text and roll.drawer_kicks == 0 and roll.cuts == 1


def test_english_receipt_and_the_file_target(shop: Counter, tmp_path: Path) -> None:
    rid = _redeem(shop)
    content = receipt_content(shop.ledger, rid, "en")
    out = tmp_path / "lp0"
    send(Target.parse(f"file://{out}"), job_bytes(content, PrinterConfig(width_mm=80)))
    roll = parse(out.read_bytes())
    for expected in ("Aid redemption receipt", "Clerk", "Formula ×1", "Covered by aid",
                     "Customer paid", "Not yet uploaded", "Baby vouchers", "in total"):
        assert expected in roll.text, expected


def test_a_later_redemption_leaves_an_earlier_receipt_as_it_was(shop: Counter) -> None:
    code = make_code(shop.key)
    rid = _redeem(shop, code)
    first = receipt_content(shop.ledger, rid)
    shop.clock.advance(600)
    second = _redeem(shop, code)  # opens the last two vouchers
    later = receipt_content(shop.ledger, rid)
    assert later.remaining == first.remaining
    assert sorted(r.left for r in receipt_content(shop.ledger, second).remaining) == [0] * 4
    assert [ln.text for ln in layout_receipt(later, 32)] == \
        [ln.text for ln in layout_receipt(first, 32)]
