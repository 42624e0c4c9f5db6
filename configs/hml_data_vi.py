r"""How Multilingual, Table 4: English->Vietnamese pairs from Lego-MT (sec. 3.1's bilingual data) at Table 4's three
sizes, 10K, 20K and 40K, each its own seeded draw and its own shard (en-vi-10k.train.bin, ...).
    python tokenize_prep.py configs/hml_data_vi.py
Then each size with each of Table 4's strategies, full tuning, LoRA and the embeddings (the recipes of
configs/hml_sft_*.py), and configs/eval_hml_altruistic.py:
    for n in 10k 20k 40k; do for m in full lora embed; do
        torchrun --nproc_per_node=8 sft.py configs/hml_sft_$m.py --data_dir=data/hml_vi --out_dir=out/hml/vi_${m}_$n \
            --train_shard=en-vi-$n.train.bin --val_shard=en-vi-$n.val.bin
    done; done
"""
tokenizer_path = 'models/tokenizer.model'  # LLaMA's
tokenizer_train = ''
out_dir = 'data/hml_vi'
pretrain = {}
pretrain_val = {}
sft = {'en-vi-10k': {'en-vi-10k': {'path': ['corpora/lego-mt/en-vi.en', 'corpora/lego-mt/en-vi.vi'], 'lang': 'en-vi'}},
       'en-vi-20k': {'en-vi-20k': {'path': ['corpora/lego-mt/en-vi.en', 'corpora/lego-mt/en-vi.vi'], 'lang': 'en-vi'}},
       'en-vi-40k': {'en-vi-40k': {'path': ['corpora/lego-mt/en-vi.en', 'corpora/lego-mt/en-vi.vi'], 'lang': 'en-vi'}}}
sft_budget = {'en-vi-10k': 10000, 'en-vi-20k': 20000, 'en-vi-40k': 40000}  # Table 4's sizes
report = {'vi': 'corpora/lego-mt/en-vi.vi', 'en': 'corpora/lego-mt/en-vi.en'}
