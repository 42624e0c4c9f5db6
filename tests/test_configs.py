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
    # LBE Table 1: every row one SFT run; a scale's rows differ in their start, a start's rows in their scale
    r'lbe_sft_(\w+)\.py': {'init_from', 'out_dir', 'data_dir', 'train_shard', 'val_shard'},
    r'lbe_sft_1k_(\w+)\.py': {'init_from', 'out_dir', 'data_dir'},
    r'lbe_sft_5k_(\w+)\.py': {'init_from', 'out_dir', 'data_dir'},
    r'lbe_sft_950k_(\w+)\.py': {'init_from', 'out_dir', 'data_dir'},
    r'lbe_sft_(1k|5k|950k)_cpt1m\.py': {'out_dir', 'train_shard', 'val_shard'},
    r'lbe_data_(chinese_llama|open_chinese_llama|chinese_llama2)\.py': {'tokenizer_path', 'out_dir', 'sft',
                                                                        'sft_budget'},
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


# -----------------------------------------------------------------------------------------------
# LLaMA Beyond English, Tables 1 and 2 as printed: every row has its configs

# The models LBE takes as published (LBE "Models"), where the configs expect them
LBE_PUBLISHED = {'LLaMA': 'models/llama-7b', 'LLaMA2': 'models/llama-2-7b',
                 'Chinese LLaMA': 'models/chinese-llama-plus-7b',  # LBE "Models": Chinese LLaMA 7B Plus
                 'Open Chinese LLaMA': 'models/open-chinese-llama-7b', 'Chinese LLaMA2': 'models/chinese-llama-2-7b'}
# LLaMA further pretrained here on Chinese samples: (samples, extended vocabulary)
LBE_PRETRAINED = {'LLaMA with 10K pretrain': (10_000, False), 'LLaMA with 100K pretrain': (100_000, False),
                  'LLaMA with 1M pretrain': (1_000_000, False), 'LLaMA-EXT with 1M pretrain': (1_000_000, True)}
# LBE Table 1: its three SFT blocks and their rows, in the printed order (not a cross-product)
LBE_TABLE1 = {
    '1k': ['LLaMA', 'LLaMA with 10K pretrain', 'LLaMA with 100K pretrain', 'LLaMA with 1M pretrain', 'Chinese LLaMA',
           'Open Chinese LLaMA'],
    '5k': ['LLaMA', 'LLaMA with 10K pretrain', 'LLaMA with 100K pretrain', 'LLaMA with 1M pretrain', 'Chinese LLaMA',
           'Open Chinese LLaMA'],
    '950k': ['LLaMA', 'LLaMA with 1M pretrain', 'LLaMA-EXT with 1M pretrain', 'Chinese LLaMA', 'Open Chinese LLaMA',
             'LLaMA2', 'Chinese LLaMA2'],
}
LBE_SFT_EXAMPLES = {'1k': 1_000, '5k': 5_000, '950k': 950_000}
# LBE Table 2's columns: L(n) is LLaMA after n samples of further pretraining; Open is Open Chinese LLaMA
LBE_TABLE2 = {'L(0)': 'LLaMA', 'L(10k)': 'LLaMA with 10K pretrain', 'L(100k)': 'LLaMA with 100K pretrain',
              'L(1M)': 'LLaMA with 1M pretrain', 'Open': 'Open Chinese LLaMA'}


def settings(path):
    return {k: v for k, (v, _) in P._read_config(path).items()}


def lbe_configs(glob):
    return {p.name: settings(p) for p in sorted((ROOT / 'configs').glob(glob))}


def lbe_checkpoint(model):
    """Where `model` (a row's start as printed) is: a published folder, or the out_dir of the one lbe_cpt config
    that further pretrains LLaMA on that many Chinese samples (within a step: its steps x its docstring's GPUs x
    its batch)."""
    if model in LBE_PUBLISHED:
        return LBE_PUBLISHED[model], None
    samples, ext = LBE_PRETRAINED[model]
    found = []
    for name, s in lbe_configs('lbe_cpt_*.py').items():
        gpus = int(re.search(r'--nproc_per_node=(\d+)', (ROOT / 'configs' / name).read_text())[1])
        per_step = s['batch_size'] * s['grad_accum'] * gpus
        if (s['init_from'] == LBE_PUBLISHED['LLaMA'] and s['mixture'] == {'zh': 1.0}
                and s.get('resize_vocab', False) == ext and abs(s['max_steps'] * per_step - samples) < per_step):
            found.append(s)
    assert len(found) == 1, (model, len(found))
    return f"{found[0]['out_dir']}/latest", found[0]


def test_every_lbe_table1_row_has_its_sft_and_data_configs_and_is_evaluated():
    """Each row of LBE Table 1 is one sft config (its docstring names the row) that starts from the row's model,
    trains on its scale's BELLE shard, made with that model's tokenizer at the row's budget; eval_lbe.py
    evaluates exactly these runs, in the table's order."""
    sfts = lbe_configs('lbe_sft_*.py')
    data = {s['out_dir']: s for p in CONFIGS if stage_of(p) == 'tokenize_prep' for s in [settings(p)]}
    docs = {name: ast.get_docstring(ast.parse((ROOT / 'configs' / name).read_text())) for name in sfts}
    claimed, expected_ckpts = set(), []
    for scale, rows in LBE_TABLE1.items():
        for row in rows:
            names = [n for n, d in docs.items() if f'"{scale} SFT", row "{row}"' in ' '.join(d.split())]
            assert len(names) == 1, (scale, row, names)
            s = sfts[names[0]]
            claimed.add(names[0])
            start, cpt = lbe_checkpoint(row)
            assert s['init_from'] == start, (names[0], s['init_from'], start)
            assert (s['train_shard'], s['val_shard']) == (f'belle_{scale}.train.bin', f'belle_{scale}.val.bin')
            d = data[s['data_dir']]  # the tokenize_prep config that writes data_dir
            mixture = d['sft'][f'belle_{scale}']
            assert sum(d['sft_budget'][src] for src in mixture) == LBE_SFT_EXAMPLES[scale], (names[0], d['out_dir'])
            if cpt is not None:  # the shards of the further pretraining: its (extended) tokenizer
                assert s['data_dir'] == cpt['data_dir'], names[0]
            else:  # the model's own tokenizer: a Hugging Face folder, or Meta's file beside the size folders
                beside = f'{start.rsplit("/", 1)[0]}/tokenizer.model'
                assert not d.get('extend') and d['tokenizer_path'] in (start, beside), (names[0], d['tokenizer_path'])
            expected_ckpts.append(f"{s['out_dir']}/latest")
    assert claimed == set(sfts), set(sfts) - claimed  # no lbe_sft config outside the table
    assert settings(ROOT / 'configs' / 'eval_lbe.py')['ckpt_dirs'] == expected_ckpts


def test_lbe_table2_columns_are_the_perplexity_configs_checkpoints():
    """LBE Table 2: perplexity in Chinese and English of L(0), L(10k), L(100k), L(1M) and Open, in that order."""
    s = settings(ROOT / 'configs' / 'eval_lbe_ppl.py')
    assert s['tasks'] == ['ppl'] and set(s['ppl_files']) == {'zh', 'en'}
    assert s['ckpt_dirs'] == [lbe_checkpoint(model)[0] for model in LBE_TABLE2.values()]
