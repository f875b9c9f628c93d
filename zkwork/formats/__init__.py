"""circom's and snarkjs's binary files: .r1cs (constraint systems), .wtns (witnesses),
Groth16 .zkey (proving keys) and .ptau (powers of tau), read into and written from zkwork's types. Each module describes
its layout; binfile describes the section container they share. Malformed files raise
FormatError subclasses (zkwork.errors) naming the file and the section."""
from zkwork.formats.ptau_file import PtauFile, read_ptau, write_ptau
from zkwork.formats.r1cs_file import r1cs_info, read_r1cs, read_sym, write_r1cs
from zkwork.formats.wtns_file import read_wtns, read_wtns_limbs, write_wtns
from zkwork.formats.zkey_file import ZKey, read_zkey, write_zkey

__all__ = ["PtauFile", "ZKey", "r1cs_info", "read_ptau", "read_r1cs", "read_sym", "read_wtns", "read_wtns_limbs",
           "read_zkey", "write_ptau", "write_r1cs", "write_wtns", "write_zkey"]
