"""Every config file parses, names the stage it is for (the command in its docstring), and sets only
settings that stage has, with the right types; the demo script and the README agree with them."""
import ast
import importlib
import re

import pytest

import plumbing as P
import tokenize_prep as T
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


def test_every_language_an_evaluation_config_names_is_known():
    """A FLORES code evaluate.py does not know (a typo among How Multilingual's 101) fails here, not after hours."""
    import evaluate as E
    for path in CONFIGS:
        if stage_of(path) == 'evaluate':
            settings = {k: v for k, (v, _) in P._read_config(path).items()}
            pairs = [*settings.get('mt_pairs', []), *settings.get('quadrant_threshold_pairs', []),
                     *settings.get('quadrant_multilingual', []),
                     *(pair for _, pair in settings.get('quadrant_runs', {}).values())]
            for code in {c for pair in pairs for c in pair.split('-')}:
                E.iso_code(code)  # raises InputError on an unknown code


# Families of configs that are one experiment repeated per language or scale: siblings may differ only
# in these settings, so that a recipe change made to one and not the others fails here.
FAMILIES = {
    r'commit_codemix_(el|hi|th|ta|bn)\.py': {'dictionary_file', 'output_file'},
    r'commit_codemix_align_(el|hi|th|ta|bn)\.py': {'input_file', 'dictionary_file', 'output_file'},
    r'commit_data_(el|hi|th|ta|bn)\.py': {'out_dir', 'pretrain', 'sft'},
    r'commit_align_(el|hi|th|ta|bn)\.py': {'out_dir', 'data_dir', 'mixture'},
    r'commit_sft_(el|hi|th|ta|bn)\.py': {'init_from', 'out_dir', 'data_dir'},
    # CLM+COMMIT (COMMIT Table 3): the plain corpus, with the alignment's recipe, then COMMIT's
    r'commit_data_clm_(el|hi|th)\.py': {'out_dir', 'pretrain'},
    r'commit_clm_(el|hi|th)\.py': {'out_dir', 'data_dir', 'mixture'},
    r'commit_sft_clm_(el|hi|th)\.py': {'init_from', 'out_dir', 'data_dir'},
    r'commit_(align|clm)_hi\.py': {'out_dir', 'data_dir'},
    r'commit_sft_(hi|clm_hi)\.py': {'init_from', 'out_dir'},
    # the alpha sweep (COMMIT footnote 6): only alpha and the files it writes differ
    r'commit_codemix_(hi|hi_a08|hi_a10)\.py': {'alpha', 'output_file'},
    r'commit_data_(hi|hi_a08|hi_a10)\.py': {'out_dir', 'pretrain', 'sft'},
    r'commit_sft_(hi|hi_a08|hi_a10)\.py': {'out_dir', 'data_dir'},
    r'eval_commit(|_indicqa|_alpha)\.py': {'ckpt_dirs', 'out_dir', 'qa_files', 'qa_prompt', 'qa_norm', 'table_rows'},
    r'lbe_cpt_(\w+)\.py': {'out_dir', 'data_dir', 'mixture', 'max_steps', 'warmup_steps', 'eval_interval',
                           'ckpt_interval', 'resize_vocab'},
    r'lbe_sft_(\w+)\.py': {'out_dir', 'train_shard', 'val_shard'},
    r'hml_sft_(\w+)\.py': {'out_dir', 'mode', 'lr'},
    r'hml_alpaca_(\w+)\.py': {'out_dir', 'mode', 'lr'},
    r'hml_(sft|alpaca)_full\.py': {'out_dir', 'data_dir', 'train_shard', 'val_shard'},
    r'demo_hml_(embed|full)\.py': {'out_dir', 'mode', 'lr'},
    r'hml_data_short_(km|lo|gu|te)\.py': {'out_dir', 'sft', 'sft_budget', 'shorten', 'report'},
    r'hml_data_(vi|tr|ar)\.py': {'out_dir', 'sft', 'sft_budget', 'report'},
    r'hml_data_(hi|alpaca_en|vi|tr|ar)\.py': {'out_dir', 'sft', 'sft_budget', 'shorten', 'report'},
    r'eval_hml(|_e12|_short|_alpaca|_altruistic)\.py': {'ckpt_dirs', 'out_dir', 'mt_pairs', 'table_rows',
                                                        'quadrant_runs', 'quadrant_threshold_pairs'},
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
    if all(name in T.LANGUAGES for name in values):  # a language's files name that language, never a sibling's
        for name, v in values.items():
            for key in FAMILIES[pattern] & set(v):
                assert f'_{name}' in repr(v[key]) or f"'{name}'" in repr(v[key]) or f'-{name}' in repr(v[key]) \
                    or f'{name}-' in repr(v[key]), (name, key, v[key])
