# shellcheck shell=bash
# A throwaway certificate authority for one e2e run: every TLS server of the
# run gets its certificate from it, and every client trusts it (and nothing
# else of ours). `openssl ca` rather than `openssl x509 -req`: only `ca` takes
# an explicit validity window (OpenSSL 3.0 has no -not_before/-not_after), and
# the expired certificate needs one in the past.

# ca_init DIR: DIR/ca.pem (the root to trust) and its key, valid for 2 days.
ca_init() {
  local dir=$1
  mkdir -p "$dir/issued"
  : >"$dir/index.txt"
  cat >"$dir/ca.cnf" <<CNF
[ca]
default_ca = e2e
[e2e]
database = $dir/index.txt
new_certs_dir = $dir/issued
certificate = $dir/ca.pem
private_key = $dir/ca.key
rand_serial = yes
unique_subject = no
default_md = sha256
policy = any_name
# The leaf's subjectAltName comes from its request.
copy_extensions = copy
x509_extensions = leaf
[any_name]
commonName = supplied
[leaf]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature
extendedKeyUsage = serverAuth
CNF
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 \
    -subj "/CN=edge-resolver e2e CA $RANDOM" \
    -addext 'basicConstraints=critical,CA:TRUE' -addext 'keyUsage=critical,keyCertSign,cRLSign' \
    -keyout "$dir/ca.key" -out "$dir/ca.pem" >>"$dir/openssl.out" 2>&1
}

# ca_issue DIR NAME SAN [START END]: DIR/NAME.pem (leaf, then the CA: a full
# chain) and DIR/NAME.key for subjectAltName SAN (e.g. DNS:localhost,IP:127.0.0.1).
# START/END (YYYYMMDDHHMMSSZ) set the validity window; the default is now to now+2 days.
ca_issue() {
  local dir=$1 name=$2 san=$3 start=${4:-} end=${5:-}
  local window=(-days 2) cn=${san%%,*}
  cn=${cn#*:}
  [[ -n $start ]] && window=(-startdate "$start" -enddate "$end")
  openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
    -subj "/CN=$cn" -addext "subjectAltName=$san" \
    -keyout "$dir/$name.key" -out "$dir/$name.csr" >>"$dir/openssl.out" 2>&1 &&
    openssl ca -batch -config "$dir/ca.cnf" -notext "${window[@]}" \
      -in "$dir/$name.csr" -out "$dir/$name.leaf.pem" >>"$dir/openssl.out" 2>&1 &&
    cat "$dir/$name.leaf.pem" "$dir/ca.pem" >"$dir/$name.pem"
}
