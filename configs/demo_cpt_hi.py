"""pretrain.py: continued pretraining of the demo's English base on Hindi alone, in the extended
vocabulary. English is not in the mix: its perplexity rises (LLaMA Beyond English, sec. 5).
    python pretrain.py configs/demo_cpt_hi.py
"""
init_from = 'out/demo/base/latest'
out_dir = 'out/demo/cpt_hi'
data_dir = 'out/demo/data_ext'
resize_vocab = True  # grow the English model to the extended tokenizer (model.resize_vocab)
mixture = {'hi': 1.0}
max_steps = 100
lr = 1e-3
warmup_steps = 10
eval_interval = 50
ckpt_interval = 100
