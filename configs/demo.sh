#!/usr/bin/env bash
# The whole demo: a tiny English-centric LLaMA, trained from scratch, taught Hindi. Each line is one
# stage; each stage is also what its script does with no arguments (or with the config named).
# About 8 minutes on 2 CPU cores; everything is written under out/demo/ (rerunning replaces it).
set -euo pipefail
cd "$(dirname "$0")/.."
python codemix.py                                         # COMMIT: English Alpaca code-mixed with the en-hi dictionary
python tokenize_prep.py                                   # an English tokenizer; en/hi/zh shards in it
python tokenize_prep.py configs/demo_extend.py            # + Hindi and Chinese pieces; shards and instruction mixtures
python pretrain.py --overwrite=True                       # the English base, from scratch
python pretrain.py configs/demo_cpt_hi.py --overwrite=True            # Hindi alone: English is forgotten
python pretrain.py configs/demo_cpt_hi_en.py --overwrite=True         # Hindi with English mixed in
python pretrain.py configs/demo_cpt_hi_en_noext.py --overwrite=True   # the same, original vocabulary
python pretrain.py configs/demo_cpt_hi_en_eqdata.py --overwrite=True  # extended vocabulary, equal data
python sft.py --overwrite=True                            # instruction tuning: English + translation
python sft.py configs/demo_sft_commit.py --overwrite=True # COMMIT: code-mixed English + translation
python evaluate.py                                        # every checkpoint measured: one table
