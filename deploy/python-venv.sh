# Sourced (not run) by the scripts that keep a pinned PyPI tool in a virtual environment under
# /var/tmp: deploy/torch-env.sh, deploy/onnx-env.sh, deploy/contract-test.sh and
# deploy/browser/ui-test.sh. Each decides for itself whether its venv is current; this is how one is
# made, in one place.

# make_venv DIR [PIP_INSTALL_ARGS...]: creates DIR afresh as a venv (installing Debian's python3-venv
# first when python3 lacks the module) and pip-installs the arguments into it. Everything it prints
# goes to stderr, so a script that answers with the venv's python on stdout stays clean.
make_venv() {
    local venv=$1
    shift
    {
        if ! python3 -m venv --help >/dev/null 2>&1; then
            local sudo_cmd=
            [ "$(id -u)" -eq 0 ] || sudo_cmd=sudo
            $sudo_cmd apt-get update -qq
            DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq python3-venv
        fi
        rm -rf "$venv"
        python3 -m venv "$venv"
        if [ "$#" -gt 0 ]; then "$venv/bin/pip" install -q "$@"; fi
    } >&2
}
