#!/usr/bin/env python3
"""Renders a scaffolder template's skeleton the way its fetch:template step does.

    render_skeleton.py TEMPLATE_DIR VALUES_JSON OUT_DIR

TEMPLATE_DIR holds template.yaml and skeleton/. The skeleton's files are Nunjucks
templates with `${{ values.x }}` variables, except those the fetch step's
copyWithoutTemplating globs name; Jinja2 reads the same syntax with these
delimiters. The seed's images are built from this output; the template tests render
through the real scaffolder.
"""

import fnmatch
import json
import os
import shutil
import sys

import jinja2
import yaml


def copy_without_templating(template_dir):
    with open(os.path.join(template_dir, "template.yaml")) as f:
        template = yaml.safe_load(f)
    for step in template["spec"]["steps"]:
        if step.get("action") == "fetch:template":
            return step["input"].get("copyWithoutTemplating") or []
    return []


def matches(path, globs):
    # The scaffolder's globs: `dir/**` is everything under dir.
    return any(fnmatch.fnmatch(path, g) or (g.endswith("/**") and path.startswith(g[:-2])) for g in globs)


class NunjucksDict(dict):
    """A dict that a `{% for key, value in d %}` loop walks as Nunjucks does: by pairs."""

    def __iter__(self):
        return iter(self.items())


def nunjucks_values(value):
    if isinstance(value, dict):
        return NunjucksDict({k: nunjucks_values(v) for k, v in value.items()})
    if isinstance(value, list):
        return [nunjucks_values(v) for v in value]
    return value


def render(template_dir, values, out):
    values = nunjucks_values(values)
    skeleton = os.path.join(template_dir, "skeleton")
    env = jinja2.Environment(variable_start_string="${{", variable_end_string="}}",
                             undefined=jinja2.StrictUndefined, keep_trailing_newline=True)
    env.filters["dump"] = lambda v: json.dumps(dict(v.items()) if isinstance(v, dict) else v)
    raw = copy_without_templating(template_dir)
    if os.path.exists(out):
        shutil.rmtree(out)
    for root, _, files in os.walk(skeleton):
        for name in files:
            src = os.path.join(root, name)
            rel = os.path.relpath(src, skeleton)
            dst = os.path.join(out, rel)
            os.makedirs(os.path.dirname(dst), exist_ok=True)
            if matches(rel, raw):
                shutil.copy2(src, dst)
                continue
            with open(src) as f:
                text = env.from_string(f.read()).render(values=values)
            with open(dst, "w") as f:
                f.write(text)


if __name__ == "__main__":
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    with open(sys.argv[2]) as f:
        render(sys.argv[1], json.load(f), sys.argv[3])
