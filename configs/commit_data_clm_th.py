"""COMMIT's CLM+COMMIT baseline (Table 3) for Thai: shards of the plain Thai Wikipedia, not code-mixed, with
LLaMA's tokenizer, for continued causal language modelling before COMMIT (configs/commit_clm_th.py).
    python tokenize_prep.py configs/commit_data_clm_th.py
"""
tokenizer_path = 'models/tokenizer.model'
tokenizer_train = ''
out_dir = 'data/commit_clm_th'
pretrain = {'th': 'corpora/wiki_th.txt'}  # the text commit_codemix_align_th.py mixes, as it is
pretrain_val = {}
sft = {}
report = {}
