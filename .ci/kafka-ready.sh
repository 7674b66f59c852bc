# Sourced by .ci/broker and .ci/nisshi: whether a Kafka-protocol broker answers on 127.0.0.1:$port.
# Sends an ApiVersions request (correlation id 7); a live broker answers with the same correlation id.
ready() {
    { exec 3<>"/dev/tcp/127.0.0.1/$port"; } 2>/dev/null || return 1
    printf '\x00\x00\x00\x0a\x00\x12\x00\x00\x00\x00\x00\x07\xff\xff' >&3
    local reply
    reply="$(timeout 2 head -c 8 <&3 | od -An -tx1 | tr -d ' \n')" || true
    exec 3>&- 3<&-
    [[ "$reply" == ????????00000007 ]]
}
