"""COMMIT's CLM+COMMIT baseline (Table 3) for Greek: shards of the plain Greek Wikipedia, not code-mixed, with
LLaMA's tokenizer, for continued causal language modelling before COMMIT (configs/commit_clm_el.py).
    python tokenize_prep.py configs/commit_data_clm_el.py
"""
tokenizer_path = 'models/tokenizer.model'
tokenizer_train = ''
out_dir = 'data/commit_clm_el'
pretrain = {'el': 'corpora/wiki_el.txt'}  # the text commit_codemix_align_el.py mixes, as it is
pretrain_val = {}
sft = {}
report = {}
