r"""How Multilingual, Table 4: English->Turkish pairs from Lego-MT (sec. 3.1's bilingual data) at Table 4's three
sizes, 10K, 20K and 40K, each its own seeded draw and its own shard (en-tr-10k.train.bin, ...).
    python tokenize_prep.py configs/hml_data_tr.py
Then each size with each of Table 4's strategies, full tuning, LoRA and the embeddings (the recipes of
configs/hml_sft_*.py), and configs/eval_hml_altruistic.py:
    for n in 10k 20k 40k; do for m in full lora embed; do
        torchrun --nproc_per_node=8 sft.py configs/hml_sft_$m.py --data_dir=data/hml_tr --out_dir=out/hml/tr_${m}_$n \
            --train_shard=en-tr-$n.train.bin --val_shard=en-tr-$n.val.bin
    done; done
"""
tokenizer_path = 'models/tokenizer.model'  # LLaMA's
tokenizer_train = ''
out_dir = 'data/hml_tr'
pretrain = {}
pretrain_val = {}
sft = {'en-tr-10k': {'en-tr-10k': {'path': ['corpora/lego-mt/en-tr.en', 'corpora/lego-mt/en-tr.tr'], 'lang': 'en-tr'}},
       'en-tr-20k': {'en-tr-20k': {'path': ['corpora/lego-mt/en-tr.en', 'corpora/lego-mt/en-tr.tr'], 'lang': 'en-tr'}},
       'en-tr-40k': {'en-tr-40k': {'path': ['corpora/lego-mt/en-tr.en', 'corpora/lego-mt/en-tr.tr'], 'lang': 'en-tr'}}}
sft_budget = {'en-tr-10k': 10000, 'en-tr-20k': 20000, 'en-tr-40k': 40000}  # Table 4's sizes
report = {'tr': 'corpora/lego-mt/en-tr.tr', 'en': 'corpora/lego-mt/en-tr.en'}
