"""The blind count stays blind, and takes a scanner's serials one per Enter."""

from __future__ import annotations

import pytest

from hallterm.errors import BadInput
from hallterm.services import handover
from tests.sales_fixtures import HANDSETS
from tests.test_handover import counter_hall


def test_scan_for_count_tells_a_serial_from_a_counted_item_without_the_custody(hall):
    counter_hall(hall)
    ctx = hall.sales
    # A serial at the counter and one that is not there answer alike: the count is blind.
    assert handover.scan_for_count(ctx, code=f" {HANDSETS[0]} ").serial == HANDSETS[0]
    assert handover.scan_for_count(ctx, code=HANDSETS[3]).serial == HANDSETS[3]
    case = handover.scan_for_count(ctx, code="6941487200035")  # a case's barcode
    assert (case.serial, case.sku) == (None, "ACC-CASE")
    with pytest.raises(BadInput, match="scanning its serials"):
        handover.scan_for_count(ctx, code="HS-HW-M60")
    with pytest.raises(BadInput, match="Not a serial"):
        handover.scan_for_count(ctx, code="ACC-CABLE-C=10")
