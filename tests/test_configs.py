"""Every config file parses, names the stage it is for (the command in its docstring), and sets only
settings that stage has, with the right types; the demo script and the README agree with them."""
import ast
import importlib
import re

import pytest

import plumbing as P
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
    cfg = P.configure(vars(module), [str(path)], base=base)  # raises on unknown names or wrong types
    for name, (value, _) in P._read_config(path).items():
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


# Families of configs that are one experiment repeated per language or scale: siblings may differ only
# in these settings, so that a recipe change made to one and not the others fails here.
FAMILIES = {
    r'commit_codemix_(el|hi|th)\.py': {'dictionary_file', 'output_file'},
    r'commit_codemix_align_(el|hi|th)\.py': {'input_file', 'dictionary_file', 'output_file'},
    r'commit_data_(el|hi|th)\.py': {'out_dir', 'pretrain', 'sft'},
    r'commit_align_(el|hi|th)\.py': {'out_dir', 'data_dir', 'mixture'},
    r'commit_sft_(el|hi|th)\.py': {'init_from', 'out_dir', 'data_dir'},
    r'lbe_cpt_(\w+)\.py': {'out_dir', 'data_dir', 'mixture', 'max_steps', 'warmup_steps', 'eval_interval',
                           'ckpt_interval', 'resize_vocab'},
    r'lbe_sft_(\w+)\.py': {'out_dir', 'train_shard', 'val_shard'},
    r'hml_sft_(\w+)\.py': {'out_dir', 'mode', 'lr'},
    r'demo_hml_(embed|full)\.py': {'out_dir', 'mode', 'lr'},
    r'hml_data_short_(km|lo|gu|te)\.py': {'out_dir', 'sft', 'sft_budget', 'shorten', 'report'},
}


@pytest.mark.parametrize('pattern', FAMILIES)
def test_sibling_configs_differ_only_where_they_should(pattern):
    members = {m.group(1): P._read_config(p) for p in CONFIGS if (m := re.fullmatch(pattern, p.name))}
    assert len(members) >= 2, pattern
    values = {name: {k: v for k, (v, _) in settings.items()} for name, settings in members.items()}
    keys = set().union(*values.values())
    for key in keys - FAMILIES[pattern]:
        seen = {name: v.get(key, '<unset>') for name, v in values.items()}
        assert len({repr(v) for v in seen.values()}) == 1, f"{pattern}: {key} differs: {seen}"
    if pattern.startswith(('commit', 'hml_data_short')):  # a language's files name that language, never a sibling's
        for name, v in values.items():
            for key in FAMILIES[pattern] & set(v):
                assert f'_{name}' in repr(v[key]) or f"'{name}'" in repr(v[key]) or f'-{name}' in repr(v[key]) \
                    or f'{name}-' in repr(v[key]), (name, key, v[key])
