"""pretrain.py: continued pretraining on Hindi with a quarter English in the original (English) vocabulary,
where Hindi falls back to three byte tokens per character: 100 steps, compared with demo_cpt_hi_en_eqdata.py
(the demo's cpt_hi_en runs 400 steps, for the tuned runs that start from it).
    python pretrain.py configs/demo_cpt_hi_en_noext.py
"""
init_from = 'out/demo/base/latest'
out_dir = 'out/demo/cpt_hi_en_noext'
data_dir = 'out/demo/data'
mixture = {'hi': 0.75, 'en': 0.25}
max_steps = 100
lr = 1e-3
warmup_steps = 10
eval_interval = 50
ckpt_interval = 100
