#!/usr/bin/env python3
"""Turns the text of RFC 8448 (Example Handshake Traces for TLS 1.3) into one JSON file per trace section.

Usage: rfc8448_to_json.py RFC8448_TXT OUTPUT_DIR

Each output file (section3.json ... section7.json) holds the section's steps in order. A step is one
"{client}"/"{server}" paragraph of the RFC: who performs it, its label as printed, and every named value
in it (name, declared octet count, lower-case hex). Steps the RFC marks "(same as ...)" carry no values
and keep the remark in "same_as". Page headers and footers are removed before parsing, and every value's
hex is checked against its declared length, so a parsing slip fails loudly instead of writing bad vectors.
"""
import json
import os
import re
import sys

SECTIONS = {
    3: "Simple 1-RTT Handshake",
    4: "Resumed 0-RTT Handshake",
    5: "HelloRetryRequest",
    6: "Client Authentication",
    7: "Compatibility Mode",
}

PAGE_FOOTER = re.compile(r"^Thomson\s+Informational\s+\[Page \d+\]$")
PAGE_HEADER = re.compile(r"^RFC 8448\s+TLS 1\.3 Traces\s+January 2019$")
SECTION_HEAD = re.compile(r"^(\d+)\.\s+(\S.*)$")
STEP_HEAD = re.compile(r"^   \{(client|server)\}\s+(.*)$")
VALUE_HEAD = re.compile(r"^      (\S[^():]*?)(?: \((\d+) octets?\))?:\s+(.*)$")
HEX_LINE = re.compile(r"^\s+([0-9a-f]{2}( [0-9a-f]{2})*)\s*$")


def clean_lines(text):
    """The RFC's lines without page breaks (footer, form feed, header)."""
    out = []
    for raw in text.splitlines():
        line = raw.replace("\f", "").rstrip()
        if PAGE_FOOTER.match(line) or PAGE_HEADER.match(line):
            continue
        out.append(line)
    return out


def parse_hex(text):
    return "".join(text.split())


def parse(text):
    lines = clean_lines(text)
    sections = {}
    current_section = None
    step = None
    value = None  # [dict, remaining octets]

    def finish_value():
        nonlocal value
        if value is not None:
            v, remaining = value
            if remaining != 0:
                raise ValueError(f"value {v['name']!r} in step {step['label']!r}: {remaining} octets missing")
            value = None

    def finish_step():
        nonlocal step
        finish_value()
        if step is not None:
            label = " ".join(step.pop("_title"))
            m = re.match(r"^(.*?)(?:\s*\((same as .*)\))?:?$", label)
            step["label"] = m.group(1).rstrip(":").strip()
            step["same_as"] = m.group(2)
            sections[current_section]["steps"].append(step)
            step = None

    in_title = False
    for line in lines:
        sm = SECTION_HEAD.match(line)
        if sm:
            finish_step()
            number = int(sm.group(1))
            current_section = number if number in SECTIONS else None
            if current_section is not None:
                if sm.group(2) != SECTIONS[number]:
                    raise ValueError(f"unexpected title for section {number}: {sm.group(2)!r}")
                sections[number] = {"rfc": 8448, "section": number, "title": SECTIONS[number], "steps": []}
            continue
        if current_section is None:
            continue
        st = STEP_HEAD.match(line)
        if st:
            finish_step()
            step = {"index": len(sections[current_section]["steps"]), "actor": st.group(1),
                    "_title": [st.group(2).strip()], "values": []}
            head = st.group(2).rstrip()
            in_title = not head.endswith(":") and not head.endswith(")")
            continue
        if step is None:
            continue
        if line == "":
            in_title = False
            continue
        if in_title:
            step["_title"].append(line.strip())
            if line.rstrip().endswith(")"):
                in_title = False
            continue
        if value is not None and value[1] > 0:
            hm = HEX_LINE.match(line)
            if hm:
                octets = parse_hex(hm.group(1))
                value[0]["hex"] += octets
                value[1] -= len(octets) // 2
                if value[1] < 0:
                    raise ValueError(f"value {value[0]['name']!r}: more octets than declared")
                continue
            raise ValueError(f"expected hex continuation for {value[0]['name']!r}, got {line!r}")
        vm = VALUE_HEAD.match(line)
        if vm:
            finish_value()
            name, count, rest = vm.group(1), vm.group(2), vm.group(3).strip()
            entry = {"name": name}
            if count is None:
                # "salt:  0 (all zero octets)": the zero-length salt of HKDF-Extract.
                if rest != "0 (all zero octets)":
                    raise ValueError(f"value {name!r} without a length: {rest!r}")
                entry.update(length=0, hex="", note="0 (all zero octets)")
                step["values"].append(entry)
                continue
            count = int(count)
            entry["length"] = count
            if rest == "(empty)":
                if count != 0:
                    raise ValueError(f"{name!r}: (empty) with {count} octets")
                entry["hex"] = ""
                step["values"].append(entry)
                continue
            octets = parse_hex(rest)
            if not re.fullmatch(r"([0-9a-f]{2})*", octets):
                raise ValueError(f"{name!r}: not hex: {rest!r}")
            entry["hex"] = octets
            step["values"].append(entry)
            value = [entry, count - len(octets) // 2]
            if value[1] < 0:
                raise ValueError(f"value {name!r}: more octets than declared")
            continue
        raise ValueError(f"section {current_section}: unrecognised line {line!r}")
    finish_step()
    return sections


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    with open(sys.argv[1], encoding="ascii") as f:
        sections = parse(f.read())
    missing = set(SECTIONS) - set(sections)
    if missing:
        sys.exit(f"sections not found: {sorted(missing)}")
    os.makedirs(sys.argv[2], exist_ok=True)
    for number, data in sorted(sections.items()):
        path = os.path.join(sys.argv[2], f"section{number}.json")
        with open(path, "w", encoding="ascii", newline="\n") as f:
            json.dump(data, f, indent=1)
            f.write("\n")
        count = sum(len(s["values"]) for s in data["steps"])
        print(f"{path}: {len(data['steps'])} steps, {count} values")


if __name__ == "__main__":
    main()
