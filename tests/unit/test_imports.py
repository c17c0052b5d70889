import subprocess
import sys


def test_import_proplens_is_cheap():
    code = (
        "import sys, proplens; heavy = [m for m in ('onnxruntime', 'fastapi', 'sqlalchemy', 'ray', 'rich', "
        "'torch', 'spacy', 'tokenizers') "
        "if m in sys.modules]; print(','.join(heavy))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""
