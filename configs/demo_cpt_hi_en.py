"""pretrain.py: continued pretraining on Hindi with English mixed in (a quarter of the windows),
extended vocabulary: joint training keeps English (LLaMA Beyond English). The demo tunes this one.
    python pretrain.py configs/demo_cpt_hi_en.py
"""
init_from = 'out/demo/base/latest'
out_dir = 'out/demo/cpt_hi_en'
data_dir = 'out/demo/data_ext'
resize_vocab = True
mixture = {'hi': 0.75, 'en': 0.25}
max_steps = 400  # 4x cpt_hi's: the tuned runs start here, and Hindi QA needs it (README.md, "The demo")
lr = 1e-3
warmup_steps = 10
eval_interval = 200
ckpt_interval = 400
