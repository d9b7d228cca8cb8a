server {
    listen 80;
    listen [::]:80;
    server_name shop.example.com www.shop.example.com;
    return 301 https://$host$request_uri;
}

server {
    listen 443 ssl http2;
    listen [::]:443 ssl http2;
    server_name shop.example.com www.shop.example.com;

    ssl_certificate /etc/letsencrypt/live/shop.example.com/fullchain.pem;
    ssl_certificate_key /etc/letsencrypt/live/shop.example.com/privkey.pem;

    add_header Strict-Transport-Security "max-age=31536000; includeSubDomains" always;
    client_max_body_size 10m;

    # ^~ : no regex location may take over a request under these prefixes.
    location ^~ /static/ {
        alias /srv/shop/static/;
        expires 30d;
    }

    location ^~ /media/ {
        alias /srv/shop/media/;
        add_header X-Content-Type-Options nosniff always;
        add_header Strict-Transport-Security "max-age=31536000; includeSubDomains" always;
    }

    location / {
        include snippets/proxy-django.conf;
        proxy_pass http://shop_app;
    }

    # Added later for the API's streaming responses. Its own proxy_set_header means none of the
    # snippet's headers are inherited: Host is lost.
    location /api/stream/ {
        proxy_set_header Connection "";
        proxy_http_version 1.1;
        proxy_buffering off;
        proxy_pass http://shop_app;
    }

    error_page 502 503 504 /maintenance.html;
    location = /maintenance.html {
        root /srv/shop/errors;
        internal;
    }
}
