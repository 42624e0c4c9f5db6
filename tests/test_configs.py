"""Every config file parses, names the stage it is for (the command in its docstring), and sets only
settings that stage has, with the right types; the demo script and the README agree with them."""
import ast
import importlib
import re

import pytest

import model as M
from conftest import ROOT

CONFIGS = sorted((ROOT / 'configs').glob('*.py'))
STAGES = ('codemix', 'tokenize_prep', 'pretrain', 'sft', 'evaluate', 'model')


def stage_of(path):
    doc = ast.get_docstring(ast.parse(path.read_text())) or ''
    found = re.findall(r'(?:python|torchrun [^\n]*?) (\w+)\.py configs/([\w.]+)', doc)
    assert found, f"{path.name}: its docstring must show the command that runs it"
    stage, name = found[0]
    assert stage in STAGES and name == path.name, (stage, name)
    return stage


@pytest.mark.parametrize('path', CONFIGS, ids=[p.name for p in CONFIGS])
def test_config_sets_only_settings_of_its_stage(path):
    stage = stage_of(path)
    module = importlib.import_module(stage)
    base = importlib.import_module('pretrain') if stage == 'sft' else None
    cfg = M.configure(vars(module), [str(path)], base=base)  # raises on unknown names or wrong types
    for name, (value, _) in M._read_config(path).items():
        assert getattr(cfg, name) == (type(getattr(cfg, name))(value) if isinstance(value, list) else value), name


def test_demo_script_and_readme_agree_with_the_configs():
    demo = (ROOT / 'configs' / 'demo.sh').read_text()
    readme = (ROOT / 'README.md').read_text()
    named = set(re.findall(r'configs/(\w+\.py)', demo + readme))
    assert named <= {p.name for p in CONFIGS}, named - {p.name for p in CONFIGS}
    paper = [p.name for p in CONFIGS if not p.name.startswith('demo_')]
    assert all(f'configs/{n}' in readme for n in paper), [n for n in paper if f'configs/{n}' not in readme]
    for line in demo.splitlines():
        if line.startswith('python'):
            assert line.split()[1] in {f'{s}.py' for s in STAGES}
