from __future__ import annotations

import re


def test_mnist_table_matches_golden(mnist, golden):
    golden("mnist.txt", mnist.to_text())


def test_mnist_rows_reproduce_the_textbook_answer(mnist):
    text = mnist.to_text()
    expected_rows = [
        r"0\s+input\s+1x28x28\s+0",
        r"1\s+conv2d1\s+\(28-\(5-1\)\)=24 -> 32x24x24\s+\(5\*5\*1\+1\)\*32\s+=\s+832",
        r"2\s+maxpool1\s+.*32x12x12\s+0",
        r"3\s+conv2d2\s+\(12-\(3-1\)\)=10 -> 32x10x10\s+\(3\*3\*32\+1\)\*32\s+=\s+9'248",
        r"4\s+maxpool2\s+.*32x5x5\s+0",
        r"6\s+dense\s+256\s+\(32\*5\*5\+1\)\*256\s+=\s+205'056",
        r"7\s+output\s+10\s+\(256\+1\)\*10\s+=\s+2'570",
    ]
    for pattern in expected_rows:
        assert re.search(pattern, text), pattern
    assert "total 832 + 9'248 + 205'056 + 2'570 = 217'706" in text


def test_printed_row_values_sum_to_printed_total(mnist):
    """Invariant in the style of torchinfo's tests: the rows add up to the total line."""
    text = mnist.to_text()
    values = [int(m.replace("'", "")) for m in re.findall(r"= +([\d']+)  ", text)]
    total = int(re.search(r"total .* = ([\d']+)", text).group(1).replace("'", ""))
    assert values and sum(values) == total == 217_706


def test_symbolic_table_shows_formulas():
    import symcnn

    H, W, k = symcnn.symbols("H W k")
    net = symcnn.Sequential(symcnn.Input(3, H, W), symcnn.Conv2d(out_channels=k, kernel_size=3, stride=2))
    text = net.derive().to_text()
    assert "floor((H-3)/2)+1" in text.replace(" ", "")
    assert "(3*3*3+1)*k" in text.replace(" ", "")
    assert "H >= 3" in text and "W >= 3" in text


def test_divisibility_conditions_read_as_in_markdown():
    import symcnn

    net = symcnn.Sequential(symcnn.Input("c", 8, 8), symcnn.Conv2d(out_channels=8, kernel_size=3, groups=4))
    text = net.derive().to_text()
    assert "c mod 4 = 0" in text and "Eq(" not in text and "Mod(" not in text
