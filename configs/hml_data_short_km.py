r"""How Multilingual, the shortening experiment (sec. 4.3, Table 7): 80K Lego-MT English->Khmer pairs
(Table 6: "Lego-MT 80k bilingual data"), Khmer written without the lead byte every Khmer character
shares under byte fallback (U+1780..U+17FF is 0xE1 in UTF-8; 47.6% of the text is such characters, Table 7).
    python tokenize_prep.py configs/hml_data_short_km.py
The unshortened control (Table 7's "Full FT", 10.1 spBLEU against 12.6):
    python tokenize_prep.py configs/hml_data_short_km.py --shorten="{}" --out_dir=data/hml_plain_km
Then full fine-tuning on each (sec. 4.3; hml_sft_full.py's recipe), shortened and plain:
    torchrun --nproc_per_node=8 sft.py configs/hml_sft_full.py --data_dir=data/hml_short_km \
        --out_dir=out/hml/short_km --train_shard=en-km.train.bin --val_shard=en-km.val.bin
    torchrun --nproc_per_node=8 sft.py configs/hml_sft_full.py --data_dir=data/hml_plain_km \
        --out_dir=out/hml/plain_km --train_shard=en-km.train.bin --val_shard=en-km.val.bin
and configs/eval_hml_short.py measures them.
"""
tokenizer_path = 'models/tokenizer.model'  # LLaMA's
tokenizer_train = ''
out_dir = 'data/hml_short_km'
pretrain = {}
pretrain_val = {}
sft = {'en-km': {'lego-mt-en-km': {'path': ['corpora/lego-mt/en-km.en', 'corpora/lego-mt/en-km.km'],
                                   'lang': 'en-km'}}}
sft_budget = {'lego-mt-en-km': 80000}  # sec. 4.3 / Table 6: 80K pairs
shorten = {'km': 0xE1}  # one lead byte per run: evaluate.py undoes one
report = {'km': 'corpora/lego-mt/en-km.km', 'en': 'corpora/lego-mt/en-km.en'}
