#!/usr/bin/env python3
"""Regenerates the value tables of infra/helm/todo-chatbot/README.md from the
`## @section` and `## @param` comments of values.yaml (defaults read from the
values themselves), and sets each value's `description` in values.schema.json
to the same text. Needs PyYAML. The chart test fails when they drift apart.

    python3 infra/helm/tests/readme-table.py
"""
import json
import pathlib
import re

import yaml

chart = pathlib.Path(__file__).resolve().parent.parent / "todo-chatbot"
values_text = (chart / "values.yaml").read_text()
values = yaml.safe_load(values_text)


def default(path):
    node = values
    for key in path.split("."):
        node = node[key]
    if isinstance(node, str):
        return f'`"{node}"`' if node == "" else f"`{node}`"
    text = json.dumps(node, separators=(",", ":"))
    if len(text) > 60:
        text = text[:57] + "…"
    return f"`{text}`"


out = []
for line in values_text.splitlines():
    section = re.match(r"\s*## @section (.*)", line)
    param = re.match(r"\s*## @param (\S+) (.*)", line)
    if section:
        out += ["", f"### {section.group(1)}", "", "| Name | Description | Default |", "| --- | --- | --- |"]
    elif param:
        description = param.group(2).replace("|", "\\|")
        out.append(f"| `{param.group(1)}` | {description} | {default(param.group(1))} |")

readme = chart / "README.md"
text = readme.read_text()
start, end = "<!-- values:start -->", "<!-- values:end -->"
head, rest = text.split(start)
_, tail = rest.split(end)
readme.write_text(head + start + "\n" + "\n".join(out).strip("\n") + "\n" + end + tail)
print(f"{readme}: {sum(1 for l in out if l.startswith('| `'))} values")

schema_file = chart / "values.schema.json"
schema = json.loads(schema_file.read_text())
params = [re.match(r"\s*## @param (\S+) (.*)", l) for l in values_text.splitlines()]
for match in filter(None, params):
    node = schema
    for key in match.group(1).split("."):
        node = node["properties"][key]
    node["description"] = match.group(2)
schema_file.write_text(json.dumps(schema, indent=2, ensure_ascii=False) + "\n")
print(f"{schema_file}: descriptions of {sum(1 for m in params if m)} values")
