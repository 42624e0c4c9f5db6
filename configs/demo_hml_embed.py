"""sft.py: How Multilingual's Embed FT on the demo: only the input embeddings tuned (the paper's "Embed FT",
sec. 1), on the same English->Hindi translation instructions as demo_hml_full.py.
    python sft.py configs/demo_hml_embed.py
"""
out_dir = 'out/demo/hml_embed'
train_shard = 'pairs.train.bin'
val_shard = 'pairs.val.bin'
mode = 'embed'
lr = 1e-2  # our choice: 10x full tuning's (sft.py), as configs/hml_sft_embed.py takes 10x for its few parameters
