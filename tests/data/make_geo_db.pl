#!/usr/bin/perl
# Writes a tiny MaxMind DB (GeoIP2-Country layout: {country => {iso_code => "XX"}}) for tests.
#
#   perl tests/data/make_geo_db.pl OUT.mmdb NETWORK=CC [NETWORK=CC ...]
#   perl tests/data/make_geo_db.pl /tmp/geo.mmdb 1.2.3.0/24=DE 2001:db8::/32=FR
#
# The database is IPv6 (IPv4 networks live in ::/96, where libmaxminddb looks IPv4 addresses up).
# Reserved networks (documentation ranges such as 2001:db8::/32, private ranges) are allowed, so
# tests can use them. Needs MaxMind::DB::Writer (Debian: libmaxmind-db-writer-perl).
use strict;
use warnings;
use MaxMind::DB::Writer::Tree;

die "usage: $0 OUT.mmdb NETWORK=CC...\n" if @ARGV < 2;
my ($out, @pairs) = @ARGV;

my %types = (country => 'map', registered_country => 'map', iso_code => 'utf8_string');
my $tree = MaxMind::DB::Writer::Tree->new(
    ip_version               => 6,
    record_size              => 24,
    database_type            => 'GeoIP2-Country',
    languages                => ['en'],
    description              => { en => 'openclaw-gateway test country database' },
    map_key_type_callback    => sub { $types{ $_[0] } },
    remove_reserved_networks => 0,
);

for my $pair (@pairs) {
    my ($network, $code) = split /=/, $pair, 2;
    die "bad argument '$pair' (want NETWORK=CC)\n" unless defined $code && length $code;
    if ($code =~ /^registered:(\w\w)$/) {  # only registered_country (like some anycast ranges)
        $tree->insert_network($network, { registered_country => { iso_code => $1 } });
    } else {
        $tree->insert_network($network, { country => { iso_code => $code } });
    }
}

# Write to a temporary name and rename, so a reader never sees a half-written file.
my $tmp = "$out.tmp.$$";
open my $fh, '>:raw', $tmp or die "cannot write $tmp: $!\n";
$tree->write_tree($fh);
close $fh or die "cannot close $tmp: $!\n";
rename $tmp, $out or die "cannot rename $tmp to $out: $!\n";
